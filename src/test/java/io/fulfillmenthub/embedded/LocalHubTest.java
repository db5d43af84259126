package io.fulfillmenthub.embedded;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fulfillmenthub.provisioning.hub.HubLabels;
import org.junit.jupiter.api.Test;

class LocalHubTest {

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
            for (String path : new String[] {"/api", "/api/v1", "/apis", "/apis/hypershift.openshift.io/v1beta1"}) {
                var r = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(hub.url().replaceAll("/$", "") + path)).build(),
                        java.net.http.HttpResponse.BodyHandlers.ofString());
                assertEquals(200, r.statusCode(), path + ": " + r.body());
                assertTrue(r.body().contains("\"kind\""), r.body());
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
}
