package io.fulfillmenthub.embedded;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.JSONSchemaProps;
import io.fabric8.kubernetes.api.model.apiextensions.v1.JSONSchemaPropsBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.ServerRequest;
import io.fabric8.mockwebserver.ServerResponse;
import io.fabric8.kubernetes.client.server.mock.KubernetesMixedDispatcher;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import io.fabric8.mockwebserver.dsl.HttpMethod;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.fulfillmenthub.provisioning.hub.HubClientFactory;
import io.fulfillmenthub.provisioning.hub.HubLabels;

/**
 * A Kubernetes API server in the process: fabric8's mock server in CRUD mode (it stores, lists, watches, patches and
 * answers 409 on a stale resourceVersion), with the management hub's CustomResourceDefinitions registered and the
 * discovery documents served that the CRUD mock lacks, so {@code kubectl get hostedclusters -A} works against it.
 */
public final class LocalHub implements AutoCloseable {

    /** A served kind: for the CRDs and the discovery documents. */
    record Kind(ResourceDefinitionContext ctx, List<String> shortNames) {
    }

    static final List<Kind> KINDS = List.of(
            new Kind(HubLabels.HOSTED_CLUSTERS, List.of("hc", "hcs")),
            new Kind(HubLabels.NODE_POOLS, List.of("np", "nps")),
            new Kind(HubLabels.AGENTS, List.of()),
            new Kind(HubLabels.BARE_METAL_HOSTS, List.of("bmh", "bmhost")),
            new Kind(HubLabels.MANIFEST_WORKS, List.of("mw")),
            new Kind(HubLabels.MANAGED_CLUSTERS, List.of("mcl")));

    private final KubernetesMockServer server;
    private final KubernetesClient client;

    private LocalHub(KubernetesMockServer server, KubernetesClient client) {
        this.server = server;
        this.client = client;
    }

    /** Starts the server on loopback ({@code port} 0 = any free port) and registers the CRDs. */
    public static LocalHub start(int port) {
        Map<ServerRequest, Queue<ServerResponse>> expectations = new HashMap<>();
        Set<String> discovery = ConcurrentHashMap.newKeySet();
        // CRUD dispatcher behind the few fixed answers (discovery); plain HTTP on loopback
        MockWebServer http = new MockWebServer();
        KubernetesMockServer server = new KubernetesMockServer(new Context(), http, expectations,
                new Dispatcher(expectations, discovery, http), false);
        serveDiscovery(server, discovery);
        server.init(InetAddress.getLoopbackAddress(), port);
        KubernetesClient client = HubClientFactory.build(
                clientConfig("http://" + server.getHostName() + ":" + server.getPort() + "/").build());
        for (Kind k : KINDS) {
            client.apiextensions().v1().customResourceDefinitions().resource(crd(k)).create();
        }
        return new LocalHub(server, client);
    }

    public KubernetesClient client() {
        return client;
    }

    /** The mock server itself: tests add expectations to it (faults answered before the CRUD store). */
    KubernetesMockServer server() {
        return server;
    }

    /**
     * A client of its own, as a separate process would have: its own connections and watches, and timeouts so that no
     * call waits forever.
     */
    public KubernetesClient newClient() {
        return HubClientFactory.build(clientConfig(url()).withRequestRetryBackoffLimit(3).build());
    }

    /** What every client of this server has: its URL, a token, and timeouts so that no call waits forever. */
    private static io.fabric8.kubernetes.client.ConfigBuilder clientConfig(String url) {
        return new io.fabric8.kubernetes.client.ConfigBuilder(io.fabric8.kubernetes.client.Config.empty())
                .withMasterUrl(url)
                .withOauthToken("embedded")
                .withRequestTimeout(15_000)
                .withConnectionTimeout(5_000);
    }

    public String url() {
        return client.getMasterUrl().toString();
    }

    /** Writes a kubeconfig for kubectl or any Kubernetes client. */
    public Path writeKubeconfig(Path file) {
        String yaml = """
                apiVersion: v1
                kind: Config
                clusters:
                  - name: fulfillment-hub-embedded
                    cluster:
                      server: %s
                users:
                  - name: hub
                    user:
                      token: embedded
                contexts:
                  - name: fulfillment-hub-embedded
                    context:
                      cluster: fulfillment-hub-embedded
                      user: hub
                      namespace: hardware-inventory
                current-context: fulfillment-hub-embedded
                """.formatted(url().replaceAll("/$", ""));
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            Files.writeString(file, yaml);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        client.close();
        server.destroy();
    }

    static CustomResourceDefinition crd(Kind k) {
        ResourceDefinitionContext c = k.ctx();
        JSONSchemaProps open = new JSONSchemaPropsBuilder().withType("object").withXKubernetesPreserveUnknownFields(true).build();
        return new CustomResourceDefinitionBuilder()
                .withNewMetadata().withName(c.getPlural() + "." + c.getGroup()).endMetadata()
                .withNewSpec()
                .withGroup(c.getGroup())
                .withScope(c.isNamespaceScoped() ? "Namespaced" : "Cluster")
                .withNewNames().withKind(c.getKind()).withPlural(c.getPlural())
                .withSingular(c.getKind().toLowerCase()).withShortNames(k.shortNames()).endNames()
                .addNewVersion().withName(c.getVersion()).withServed(true).withStorage(true)
                .withNewSchema().withOpenAPIV3Schema(open).endSchema()
                .withNewSubresources().withNewStatus().endStatus().endSubresources()
                .endVersion()
                .endSpec()
                .build();
    }

    /**
     * The mixed dispatcher (fixed answers first, then the CRUD store), except that a discovery document is answered
     * whatever the query: kubectl asks for {@code /api?timeout=32s}, and a fixed answer matches its path exactly, so
     * without this the CRUD store would answer a discovery request with a list of CRDs.
     * <p>
     * fabric8's mock web server also keeps every request it received, body included, in a queue for tests to take
     * ({@code takeRequest}); nothing takes them here, so a long-running embedded hub would keep every call of its
     * life (19,000 requests and ~20 MB of heap after 9,000 orders). Each dispatch takes what the queue holds.
     */
    static final class Dispatcher extends KubernetesMixedDispatcher {
        private final Set<String> discoveryPaths;
        private final MockWebServer recorder;

        Dispatcher(Map<ServerRequest, Queue<ServerResponse>> expectations, Set<String> discoveryPaths,
                MockWebServer recorder) {
            super(expectations);
            this.discoveryPaths = discoveryPaths;
            this.recorder = recorder;
        }

        /** Empties the mock server's record of requests (it was queued just before this dispatch). */
        void forgetRecorded() {
            try {
                while (recorder.takeRequest(0, TimeUnit.NANOSECONDS) != null) {
                    // dropped: nothing reads the record
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        @Override
        public MockResponse dispatch(RecordedRequest request) {
            forgetRecorded();
            String path = request.getPath();
            int q = path == null ? -1 : path.indexOf('?');
            if (q > 0 && request.method() == HttpMethod.GET && discoveryPaths.contains(path.substring(0, q))) {
                request = new RecordedRequest(request.getHttpVersion(), request.method(), path.substring(0, q),
                        request.getHeaders(), request.getBody());
            }
            return super.dispatch(request);
        }
    }

    /** /api, /api/v1, /apis and /apis/group/version as kubectl reads them; their paths are added to {@code paths}. */
    private static void serveDiscovery(KubernetesMockServer server, Set<String> paths) {
        paths.addAll(List.of("/api", "/api/v1", "/apis", "/apis/coordination.k8s.io/v1", "/apis/apiextensions.k8s.io/v1"));
        server.expect().get().withPath("/api").andReturn(200, Map.of("kind", "APIVersions", "versions", List.of("v1"),
                "serverAddressByClientCIDRs", List.of(Map.of("clientCIDR", "0.0.0.0/0", "serverAddress", "127.0.0.1"))))
                .always();
        List<Map<String, Object>> core = new ArrayList<>();
        core.add(resource("namespaces", "Namespace", false, List.of("ns")));
        core.add(resource("secrets", "Secret", true, List.of()));
        core.add(resource("configmaps", "ConfigMap", true, List.of("cm")));
        core.add(resource("events", "Event", true, List.of("ev")));
        core.add(resource("services", "Service", true, List.of("svc")));
        server.expect().get().withPath("/api/v1")
                .andReturn(200, Map.of("kind", "APIResourceList", "groupVersion", "v1", "resources", core)).always();

        Map<String, List<Kind>> byGroupVersion = new LinkedHashMap<>();
        for (Kind k : KINDS) {
            byGroupVersion.computeIfAbsent(k.ctx().getGroup() + "/" + k.ctx().getVersion(), x -> new ArrayList<>()).add(k);
        }
        List<Map<String, Object>> groups = new ArrayList<>();
        for (Map.Entry<String, List<Kind>> e : byGroupVersion.entrySet()) {
            String[] gv = e.getKey().split("/");
            groups.add(group(gv[0], gv[1]));
            List<Map<String, Object>> resources = new ArrayList<>();
            for (Kind k : e.getValue()) {
                resources.add(resource(k.ctx().getPlural(), k.ctx().getKind(), k.ctx().isNamespaceScoped(), k.shortNames()));
                resources.add(Map.of("name", k.ctx().getPlural() + "/status", "singularName", "", "namespaced",
                        k.ctx().isNamespaceScoped(), "kind", k.ctx().getKind(), "verbs", List.of("get", "patch", "update")));
            }
            paths.add("/apis/" + e.getKey());
            server.expect().get().withPath("/apis/" + e.getKey()).andReturn(200,
                    Map.of("kind", "APIResourceList", "apiVersion", "v1", "groupVersion", e.getKey(), "resources", resources))
                    .always();
        }
        groups.add(group("coordination.k8s.io", "v1"));
        groups.add(group("apiextensions.k8s.io", "v1"));
        server.expect().get().withPath("/apis/coordination.k8s.io/v1").andReturn(200, Map.of("kind", "APIResourceList",
                "apiVersion", "v1", "groupVersion", "coordination.k8s.io/v1",
                "resources", List.of(resource("leases", "Lease", true, List.of())))).always();
        server.expect().get().withPath("/apis/apiextensions.k8s.io/v1").andReturn(200, Map.of("kind", "APIResourceList",
                "apiVersion", "v1", "groupVersion", "apiextensions.k8s.io/v1",
                "resources", List.of(resource("customresourcedefinitions", "CustomResourceDefinition", false,
                        List.of("crd", "crds"))))).always();
        server.expect().get().withPath("/apis").andReturn(200,
                Map.of("kind", "APIGroupList", "apiVersion", "v1", "groups", groups)).always();
    }

    private static Map<String, Object> group(String name, String version) {
        Map<String, Object> v = Map.of("groupVersion", name + "/" + version, "version", version);
        return Map.of("name", name, "versions", List.of(v), "preferredVersion", v);
    }

    private static Map<String, Object> resource(String plural, String kind, boolean namespaced, List<String> shortNames) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("name", plural);
        r.put("singularName", kind.toLowerCase());
        r.put("namespaced", namespaced);
        r.put("kind", kind);
        r.put("verbs", List.of("create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"));
        if (!shortNames.isEmpty()) {
            r.put("shortNames", shortNames);
        }
        return r;
    }
}
