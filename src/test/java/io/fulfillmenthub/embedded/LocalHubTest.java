package io.fulfillmenthub.embedded;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fulfillmenthub.provisioning.hub.HubLabels;
import org.junit.jupiter.api.Test;

class LocalHubTest {

    @Test
    void keepsNoRecordOfTheRequestsItServed() throws Exception {
        try (LocalHub hub = LocalHub.start(0)) {
            int before = hub.server().getRequestCount();
            DemoInventory.seed(hub.client(), "hardware-inventory", Map.of("cpu-standard", 3));
            for (int i = 0; i < 50; i++) {
                hub.client().genericKubernetesResources(HubLabels.AGENTS).inNamespace("hardware-inventory").list();
            }
            assertTrue(hub.server().getRequestCount() >= before + 53, "served " + hub.server().getRequestCount());
            // fabric8's server queues every request (body included) for tests to take; the embedded hub must not
            // keep them for its whole life
            assertNull(hub.server().takeRequest(0, TimeUnit.MILLISECONDS), "a request is still kept");
        }
    }

    @Test
    void crudAndDiscovery() throws Exception {
        try (LocalHub hub = LocalHub.start(0)) {
            var client = hub.client();
            int n = DemoInventory.seed(client, "hardware-inventory", Map.of("cpu-standard", 3));
            assertEquals(3, n);
            var agents = client.genericKubernetesResources(HubLabels.AGENTS).inNamespace("hardware-inventory");
            assertEquals(3, agents.list().getItems().size());
            GenericKubernetesResource a = agents.withName("cpu-standard-01").get();
            GenericKubernetesResource stale = agents.withName("cpu-standard-01").get();
            a.getMetadata().getLabels().put("x", "1");
            agents.resource(a).update();
            stale.getMetadata().getLabels().put("x", "2");
            try {
                agents.resource(stale).update();
                throw new AssertionError("stale update accepted");
            } catch (KubernetesClientException e) {
                assertEquals(409, e.getCode());
            }
            var http = java.net.http.HttpClient.newBuilder().sslContext(insecure()).build();
            Map<String, String> kinds = Map.of("/api", "APIVersions", "/api/v1", "APIResourceList", "/apis", "APIGroupList",
                    "/apis/hypershift.openshift.io/v1beta1", "APIResourceList");
            for (Map.Entry<String, String> e : kinds.entrySet()) {
                // as a plain client asks, and as kubectl does (a timeout in the query, aggregated discovery preferred)
                for (String query : new String[] {"", "?timeout=32s"}) {
                    var r = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(
                            hub.url().replaceAll("/$", "") + e.getKey() + query)).header("Accept",
                            "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json").build(),
                            java.net.http.HttpResponse.BodyHandlers.ofString());
                    assertEquals(200, r.statusCode(), e.getKey() + query + ": " + r.body());
                    assertTrue(r.body().contains("\"kind\":\"" + e.getValue() + "\""), e.getKey() + query + ": " + r.body());
                }
            }
        }
    }

    static javax.net.ssl.SSLContext insecure() throws Exception {
        javax.net.ssl.TrustManager[] all = {new javax.net.ssl.X509TrustManager() {
            public void checkClientTrusted(java.security.cert.X509Certificate[] c, String a) {
            }

            public void checkServerTrusted(java.security.cert.X509Certificate[] c, String a) {
            }

            public java.security.cert.X509Certificate[] getAcceptedIssuers() {
                return new java.security.cert.X509Certificate[0];
            }
        }};
        var ctx = javax.net.ssl.SSLContext.getInstance("TLS");
        ctx.init(null, all, new java.security.SecureRandom());
        return ctx;
    }

    /** What the README promises: kubectl, pointed at the written kubeconfig, lists what the hub made (when installed). */
    @Test
    void kubectlSeesTheHostedClustersAndAgents() throws Exception {
        java.nio.file.Path kubectl = java.util.stream.Stream.of(System.getenv().getOrDefault("PATH", "").split(":"))
                .map(d -> java.nio.file.Path.of(d, "kubectl")).filter(java.nio.file.Files::isExecutable).findFirst()
                .orElse(null);
        org.junit.jupiter.api.Assumptions.assumeTrue(kubectl != null, "kubectl is not installed here");
        try (LocalHub hub = LocalHub.start(0)) {
            var client = hub.client();
            DemoInventory.seed(client, "hardware-inventory", Map.of("cpu-standard", 2));
            client.namespaces().resource(new io.fabric8.kubernetes.api.model.NamespaceBuilder().withNewMetadata()
                    .withName("fh-k1").endMetadata().build()).create();
            GenericKubernetesResource hc = new GenericKubernetesResource();
            hc.setApiVersion(HubLabels.apiVersion(HubLabels.HOSTED_CLUSTERS));
            hc.setKind(HubLabels.HOSTED_CLUSTER_KIND);
            hc.setMetadata(new io.fabric8.kubernetes.api.model.ObjectMetaBuilder().withName("kube-one").withNamespace("fh-k1")
                    .build());
            hc.setAdditionalProperty("spec", Map.of("release", Map.of("image", "quay.io/openshift-release-dev/ocp-release:4.17.9-x86_64")));
            client.genericKubernetesResources(HubLabels.HOSTED_CLUSTERS).inNamespace("fh-k1").resource(hc).create();
            java.nio.file.Path config = hub.writeKubeconfig(java.nio.file.Files.createTempDirectory("kc").resolve("hub-kubeconfig.yaml"));

            String hcs = run(kubectl.toString(), "--kubeconfig", config.toString(), "get", "hostedclusters", "-A");
            assertTrue(hcs.contains("fh-k1") && hcs.contains("kube-one"), hcs);
            String agents = run(kubectl.toString(), "--kubeconfig", config.toString(), "get", "agents", "-n",
                    "hardware-inventory", "-L", HubLabels.HOST_CLASS);
            assertTrue(agents.contains("cpu-standard-01") && agents.contains("cpu-standard-02"), agents);
        }
    }

    static String run(String... command) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().remove("KUBECONFIG");
        // a discovery cache of its own: nothing from an earlier run on this machine
        pb.environment().put("HOME", java.nio.file.Files.createTempDirectory("kubectl-home").toString());
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS), "kubectl did not finish");
        assertEquals(0, p.exitValue(), String.join(" ", command) + ":\n" + out);
        return out;
    }
}
