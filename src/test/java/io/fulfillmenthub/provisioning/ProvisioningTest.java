package io.fulfillmenthub.provisioning;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fulfillmenthub.clusters.ClusterOrders;
import io.fulfillmenthub.embedded.EmbeddedMode;
import io.fulfillmenthub.provisioning.hub.HubLabels;
import io.fulfillmenthub.store.Db;
import io.fulfillmenthub.store.WorkQueue;
import io.fulfillmenthub.testsupport.CrdSchemas;
import io.fulfillmenthub.testsupport.Threads;
import io.fulfillmenthub.testsupport.Tokens;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

/** From order to READY on the (embedded) management hub and back: the product's heart, end to end. */
@QuarkusTest
class ProvisioningTest {

    static final String CLUSTERS = "/api/fulfillment/v1/clusters";
    static final Duration WAIT = Duration.ofSeconds(40);

    @Inject
    ManagementHub hub;
    @Inject
    EmbeddedMode embedded;
    @Inject
    Db db;

    KubernetesClient k8s() {
        return hub.client();
    }

    /**
     * The provisioning tests order from a template of their own on the cpu-highmem hosts, which no other test uses: the
     * rest of the suite keeps the clusters it orders, and these tests need to know what capacity they have.
     */
    static final String TEMPLATE = "prov-test";

    static synchronized void ensureTemplate() {
        if (given().header("Authorization", Tokens.bearer("tenant-user")).get("/api/fulfillment/v1/cluster_templates/" + TEMPLATE)
                .statusCode() == 200) {
            return;
        }
        given().header("Authorization", Tokens.bearer("platform-admin")).contentType(ContentType.JSON).body("""
                {"id": "%s", "title": "Provisioning test", "release": {"version": "4.17.9", "image": "quay.io/openshift-release-dev/ocp-release:4.17.9-x86_64"},
                 "node_sets": {"workers": {"host_class": "cpu-highmem", "default_size": 1, "min_size": 1, "max_size": 4}},
                 "allowed_durations": ["P1D"]}""".formatted(TEMPLATE))
                .post("/api/admin/v1/cluster_templates").then().statusCode(201);
    }

    static String order(String template, String nodeSets, String duration) {
        if (template.equals("ocp-small")) {
            ensureTemplate();
            template = TEMPLATE;
        }
        String name = "p" + UUID.randomUUID().toString().substring(0, 8);
        String body = "{\"metadata\":{\"name\":\"" + name + "\"},\"spec\":{\"template\":\"" + template + "\""
                + (nodeSets == null ? "" : ",\"node_sets\":" + nodeSets)
                + (duration == null ? "" : ",\"duration\":\"" + duration + "\"") + "}}";
        return given().header("Authorization", Tokens.bearer("tenant-admin")).contentType(ContentType.JSON).body(body)
                .post(CLUSTERS).then().statusCode(201).extract().path("id");
    }

    static JsonPath cluster(String id) {
        return given().header("Authorization", Tokens.bearer("sre")).get("/api/admin/v1/clusters/" + id)
                .then().statusCode(200).extract().jsonPath();
    }

    static void awaitState(String id, String state) {
        try {
            await().atMost(WAIT).pollInterval(Duration.ofMillis(200))
                    .until(() -> state.equals(cluster(id).getString("status.state")));
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            diagnose(id);
            throw e;
        }
    }

    /** What a failed wait leaves behind: the cluster as the API shows it, the work queue and the threads at work. */
    static void diagnose(String id) {
        System.err.println("cluster " + id + ": " + cluster(id).prettify());
        Db db = io.quarkus.arc.Arc.container().instance(Db.class).get();
        db.read(c -> Db.list(c, "select kind, item_key, due_at, attempts, lease_owner, lease_until, last_error from work_items order by due_at",
                rs -> rs.getString(1) + " " + rs.getString(2) + " due=" + rs.getString(3) + " attempts=" + rs.getInt(4)
                        + " lease=" + rs.getString(5) + "/" + rs.getString(6) + " error=" + rs.getString(7)))
                .stream().limit(60).forEach(line -> System.err.println("work_item " + line));
        System.err.println(Threads.dump(
                t -> !t.getName().startsWith("Reference Handler") && !t.getName().startsWith("Finalizer"), 40));
    }

    List<GenericKubernetesResource> agentsOf(String clusterId) {
        return k8s().genericKubernetesResources(HubLabels.AGENTS).inNamespace("hardware-inventory")
                .withLabel(HubLabels.CLUSTER, clusterId).list().getItems();
    }

    static void delete(String id) {
        given().header("Authorization", Tokens.bearer("tenant-admin")).delete(CLUSTERS + "/" + id).then().statusCode(202);
    }

    int freeHosts(String hostClass) {
        return (int) k8s().genericKubernetesResources(HubLabels.AGENTS).inNamespace("hardware-inventory")
                .withLabel(HubLabels.HOST_CLASS, hostClass).list().getItems().stream()
                .filter(a -> !a.getMetadata().getLabels().containsKey(HubLabels.CLUSTER)
                        && !a.getMetadata().getLabels().containsKey(AgentPool.OUT_OF_SERVICE))
                .count();
    }

    List<String> eventTypes(String clusterId) {
        return db.read(c -> Db.list(c, "select type from events where subject = ? order by seq", rs -> rs.getString(1), clusterId));
    }

    @Test
    void orderBecomesReadyOnTheManagementHub() {
        String id = order("ocp-small", "{\"workers\":{\"size\":2}}", "P1D");
        awaitState(id, "READY");
        JsonPath c = cluster(id);
        assertEquals(2, c.getInt("status.node_sets.workers.ready"));
        assertTrue(c.getString("status.api_url").startsWith("https://api." + c.getString("metadata.name") + "."));
        assertTrue(c.getString("status.console_url").startsWith("https://console-openshift-console.apps."));
        for (String type : List.of("Accepted", "HostsReserved", "ControlPlaneAvailable", "WorkersReady", "Ready")) {
            assertEquals("True", c.getString("status.conditions.find { it.type == '" + type + "' }.status"), type);
        }

        // what any Kubernetes client sees on the management hub
        String ns = "fh-" + id;
        String name = c.getString("metadata.name");
        GenericKubernetesResource hc = k8s().genericKubernetesResources(HubLabels.HOSTED_CLUSTERS).inNamespace(ns)
                .withName(name).get();
        assertNotNull(hc);
        @SuppressWarnings("unchecked")
        Map<String, Object> spec = (Map<String, Object>) hc.getAdditionalProperties().get("spec");
        assertEquals("quay.io/openshift-release-dev/ocp-release:4.17.9-x86_64", ((Map<?, ?>) spec.get("release")).get("image"));
        GenericKubernetesResource np = k8s().genericKubernetesResources(HubLabels.NODE_POOLS).inNamespace(ns)
                .withName(name + "-workers").get();
        assertEquals(2, ((Number) ((Map<?, ?>) np.getAdditionalProperties().get("spec")).get("replicas")).intValue());
        List<GenericKubernetesResource> agents = agentsOf(id);
        assertEquals(2, agents.size());
        for (GenericKubernetesResource a : agents) {
            assertEquals("workers", a.getMetadata().getLabels().get(HubLabels.NODE_SET));
            assertEquals(Map.of("name", name, "namespace", ns),
                    ((Map<?, ?>) a.getAdditionalProperties().get("spec")).get("clusterDeploymentName"));
        }
        given().header("Authorization", Tokens.bearer("sre")).queryParam("cluster", id).get("/api/admin/v1/hosts")
                .then().statusCode(200).body("total", equalTo(2)).body("items.status.state", not(hasItem("AVAILABLE")));

        // credentials for the tenant admin only
        given().header("Authorization", Tokens.bearer("tenant-admin")).get(CLUSTERS + "/" + id + "/kubeconfig")
                .then().statusCode(200).contentType(startsWith("application/yaml"))
                .body(containsString("server: https://api." + name));
        given().header("Authorization", Tokens.bearer("tenant-admin")).get(CLUSTERS + "/" + id + "/password")
                .then().statusCode(200).contentType(startsWith("text/plain"));
        given().header("Authorization", Tokens.bearer("tenant-user")).get(CLUSTERS + "/" + id + "/password")
                .then().statusCode(403);
        given().header("Authorization", Tokens.bearer("other-tenant-admin")).get(CLUSTERS + "/" + id + "/kubeconfig")
                .then().statusCode(404);
        assertTrue(eventTypes(id).containsAll(List.of("io.fulfillmenthub.cluster.created", "io.fulfillmenthub.cluster.ready")));

        delete(id);
        awaitState(id, "DELETED");
        assertNull(k8s().genericKubernetesResources(HubLabels.HOSTED_CLUSTERS).inNamespace(ns).withName(name).get());
        assertTrue(k8s().genericKubernetesResources(HubLabels.NODE_POOLS).inNamespace(ns).list().getItems().isEmpty());
        assertEquals(0, agentsOf(id).size());
        assertTrue(eventTypes(id).contains("io.fulfillmenthub.cluster.deleted"));
        // a later pass over the deleted cluster (a watch event, a resync) changes nothing: subscribers hear of the
        // deletion once
        db.tx(tx -> {
            WorkQueue.enqueue(tx, ClusterOrders.RECONCILE, id, Instant.now());
            return null;
        });
        await().atMost(WAIT).until(() -> db.read(tx -> Db.count(tx, "select count(*) from work_items where kind = ?"
                + " and item_key = ?", ClusterOrders.RECONCILE, id)) == 0);
        assertEquals(1, eventTypes(id).stream().filter("io.fulfillmenthub.cluster.deleted"::equals).count(),
                eventTypes(id).toString());
        // still readable for audit, gone from the lists
        given().header("Authorization", Tokens.bearer("tenant-user")).get(CLUSTERS + "/" + id).then().statusCode(200)
                .body("status.state", equalTo("DELETED"));
        given().header("Authorization", Tokens.bearer("tenant-user")).queryParam("limit", 1000).get(CLUSTERS)
                .then().body("items.id", not(hasItem(id)));
    }

    @Test
    void scalingReservesMoreHostsAndReleasesThemAgain() {
        String id = order("ocp-small", "{\"workers\":{\"size\":1}}", "P1D");
        awaitState(id, "READY");
        given().header("Authorization", Tokens.bearer("tenant-admin")).contentType(ContentType.JSON)
                .body("{\"spec\":{\"node_sets\":{\"workers\":{\"size\":4}}}}").patch(CLUSTERS + "/" + id)
                .then().statusCode(202);
        await().atMost(WAIT).until(() -> cluster(id).getInt("status.node_sets.workers.ready") == 4);
        assertEquals(4, agentsOf(id).size());
        given().header("Authorization", Tokens.bearer("tenant-admin")).contentType(ContentType.JSON)
                .body("{\"spec\":{\"node_sets\":{\"workers\":{\"size\":2}}}}").patch(CLUSTERS + "/" + id)
                .then().statusCode(202);
        await().atMost(WAIT).until(() -> agentsOf(id).size() == 2 && cluster(id).getInt("status.node_sets.workers.ready") == 2);
        assertEquals("READY", cluster(id).getString("status.state"));
        assertTrue(eventTypes(id).contains("io.fulfillmenthub.cluster.scaled"));
        delete(id);
        awaitState(id, "DELETED");
    }

    @Test
    void leaseExpiryReleasesTheHosts() {
        String template = "lease-" + UUID.randomUUID().toString().substring(0, 6);
        given().header("Authorization", Tokens.bearer("platform-admin")).contentType(ContentType.JSON).body("""
                {"id": "%s", "title": "Short lease", "release": {"version": "4.17.9", "image": "quay.io/openshift-release-dev/ocp-release:4.17.9-x86_64"},
                 "node_sets": {"workers": {"host_class": "cpu-highmem", "default_size": 1, "min_size": 1, "max_size": 2}},
                 "allowed_durations": ["PT6S"]}""".formatted(template))
                .post("/api/admin/v1/cluster_templates").then().statusCode(201);
        String id = order(template, null, "PT6S");
        awaitState(id, "DELETED");
        assertEquals(0, agentsOf(id).size());
        List<String> types = eventTypes(id);
        assertTrue(types.contains("io.fulfillmenthub.cluster.expiring"), types.toString());
        assertTrue(types.indexOf("io.fulfillmenthub.cluster.expiring") < types.indexOf("io.fulfillmenthub.cluster.deleted"));
        assertEquals("LeaseExpired", cluster(id).getString("status.conditions.find { it.type == 'Ready' }.reason"),
                "the deletion says why");
    }

    @Test
    void concurrentOrdersForTheLastHostsAndRetryAfterCapacityReturns() throws Exception {
        await().atMost(WAIT).until(() -> freeHosts("gpu-a100") == 6);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        List<Future<String>> orders = new ArrayList<>();
        given().header("Authorization", Tokens.bearer("platform-admin")).contentType(ContentType.JSON).body("""
                {"id": "prov-gpu", "title": "GPU only", "release": {"version": "4.17.9", "image": "quay.io/openshift-release-dev/ocp-release:4.17.9-x86_64"},
                 "node_sets": {"gpu": {"host_class": "gpu-a100", "default_size": 1, "min_size": 1, "max_size": 6}},
                 "allowed_durations": ["P1D"]}""").post("/api/admin/v1/cluster_templates").then().statusCode(201);
        Callable<String> gpu4 = () -> order("prov-gpu", "{\"gpu\":{\"size\":4}}", "P1D");
        orders.add(pool.submit(gpu4));
        orders.add(pool.submit(gpu4));
        String a = orders.get(0).get();
        String b = orders.get(1).get();
        pool.shutdown();
        await().atMost(WAIT).until(() -> {
            String sa = cluster(a).getString("status.state");
            String sb = cluster(b).getString("status.state");
            return (sa.equals("READY") && sb.equals("FAILED")) || (sa.equals("FAILED") && sb.equals("READY"));
        });
        String ready = cluster(a).getString("status.state").equals("READY") ? a : b;
        String failed = ready.equals(a) ? b : a;
        assertEquals("InsufficientCapacity", cluster(failed).getString("status.reason"));
        assertEquals(0, agentsOf(failed).size(), "a failed order keeps no host");
        // a P1D lease is inside the 24 h notice lead at once: the cluster that got its hosts is told, the one that
        // failed in its first pass is not told that a lease it never used ends
        assertTrue(eventTypes(ready).contains("io.fulfillmenthub.cluster.expiring"), eventTypes(ready).toString());
        assertEquals(List.of("io.fulfillmenthub.cluster.created", "io.fulfillmenthub.cluster.failed"), eventTypes(failed));
        assertEquals(4, agentsOf(ready).size());
        given().header("Authorization", Tokens.bearer("sre")).queryParam("reason", "InsufficientCapacity")
                .queryParam("limit", 1000).get("/api/admin/v1/clusters").then().body("items.id", hasItem(failed));

        // retrying while the capacity is still gone fails again; after the other cluster leaves it succeeds
        delete(ready);
        awaitState(ready, "DELETED");
        given().header("Authorization", Tokens.bearer("tenant-admin")).post("/api/admin/v1/clusters/" + failed + "/retry")
                .then().statusCode(403);
        given().header("Authorization", Tokens.bearer("sre")).post("/api/admin/v1/clusters/" + failed + "/retry")
                .then().statusCode(202).body("status.state", equalTo("PROGRESSING"));
        awaitState(failed, "READY");
        given().header("Authorization", Tokens.bearer("sre")).post("/api/admin/v1/clusters/" + failed + "/retry")
                .then().statusCode(409);
        delete(failed);
        awaitState(failed, "DELETED");
    }

    @Test
    void hostTakenOfflineIsReplacedAndTheClusterKeepsItsSize() {
        String id = order("ocp-small", "{\"workers\":{\"size\":2}}", "P1D");
        awaitState(id, "READY");
        String victim = agentsOf(id).get(0).getMetadata().getName();
        given().header("Authorization", Tokens.bearer("tenant-admin")).contentType(ContentType.JSON)
                .body("{\"spec\":{\"state\":\"OFFLINE\",\"reason\":\"disk\"}}").patch("/api/admin/v1/hosts/" + victim)
                .then().statusCode(403);
        given().header("Authorization", Tokens.bearer("server-admin")).contentType(ContentType.JSON)
                .body("{\"spec\":{\"state\":\"OFFLINE\"}}").patch("/api/admin/v1/hosts/" + victim)
                .then().statusCode(400).body("field", equalTo("spec.reason"));
        String replacement = given().header("Authorization", Tokens.bearer("server-admin")).contentType(ContentType.JSON)
                .body("{\"spec\":{\"state\":\"OFFLINE\",\"reason\":\"disk errors\"}}").patch("/api/admin/v1/hosts/" + victim)
                .then().statusCode(200).body("status.state", equalTo("OFFLINE")).extract().header("Hub-Replaced-By");
        assertNotNull(replacement);
        await().atMost(WAIT).until(() -> agentsOf(id).size() == 2
                && agentsOf(id).stream().noneMatch(a -> a.getMetadata().getName().equals(victim))
                && cluster(id).getInt("status.node_sets.workers.ready") == 2);
        assertEquals("READY", cluster(id).getString("status.state"));
        assertTrue(db.read(c -> Db.count(c, "select count(*) from events where subject = ? and type = ?", victim,
                "io.fulfillmenthub.host.offline")) > 0);
        // what the hub wrote on the way, as a real hub's API server would check it: the Agents it reserved and took
        // out of service, the HostedCluster and the NodePool
        CrdSchemas.ifPresent().ifPresent(crds -> {
            var agents = k8s().genericKubernetesResources(HubLabels.AGENTS).inNamespace("hardware-inventory");
            crds.assertValid(agents.withName(victim).get());
            agentsOf(id).forEach(crds::assertValid);
            String name = cluster(id).getString("metadata.name");
            crds.assertValid(k8s().genericKubernetesResources(HubLabels.HOSTED_CLUSTERS).inNamespace("fh-" + id)
                    .withName(name).get());
            crds.assertValid(k8s().genericKubernetesResources(HubLabels.NODE_POOLS).inNamespace("fh-" + id)
                    .withName(name + "-workers").get());
        });
        // back in service
        given().header("Authorization", Tokens.bearer("sre")).contentType(ContentType.JSON)
                .body("{\"spec\":{\"state\":\"AVAILABLE\"}}").patch("/api/admin/v1/hosts/" + victim)
                .then().statusCode(200).body("status.state", equalTo("AVAILABLE"));
        delete(id);
        awaitState(id, "DELETED");
    }

    @Test
    void controlPlaneTimeoutFailsAndRetrySucceeds() {
        embedded.simulator().pause(true);
        String id;
        try {
            id = order("ocp-small", "{\"workers\":{\"size\":1}}", "P1D");
            awaitState(id, "FAILED");
            assertEquals("ControlPlaneTimeout", cluster(id).getString("status.reason"));
            assertEquals("True", cluster(id).getString("status.conditions.find { it.type == 'Failed' }.status"));
            assertTrue(eventTypes(id).contains("io.fulfillmenthub.cluster.failed"));
        } finally {
            embedded.simulator().pause(false);
        }
        given().header("Authorization", Tokens.bearer("sre")).post("/api/admin/v1/clusters/" + id + "/retry")
                .then().statusCode(202);
        awaitState(id, "READY");
        // one HostedCluster, however many passes ran
        assertEquals(1, k8s().genericKubernetesResources(HubLabels.HOSTED_CLUSTERS).inNamespace("fh-" + id).list()
                .getItems().size());
        delete(id);
        awaitState(id, "DELETED");
    }

    /**
     * A new cluster's first pass reserves without asking which hosts it holds (none, unless a pass died between
     * reserving and saving). That case, played here: an Agent already carries the cluster's reservation when its first
     * pass reserves (the host class's lock, held by the test, keeps the pass waiting meanwhile). The surplus host goes
     * back to the inventory; the cluster keeps the size it was ordered with.
     */
    @Test
    void aReservationLeftByAPassThatDiedIsNotKeptTwice() {
        await().atMost(WAIT).until(() -> freeHosts("cpu-highmem") >= 2);
        int free = freeHosts("cpu-highmem");
        db.tx(c -> Db.count(c, "select count(*) from host_classes where name = 'cpu-highmem'") > 0 ? 0
                : Db.update(c, "insert into host_classes (name) values ('cpu-highmem')")); // the row to lock
        String id = db.tx(c -> {
            Db.one(c, "select name from host_classes where name = ? for update", rs -> rs.getString(1), "cpu-highmem");
            String ordered = order("ocp-small", "{\"workers\":{\"size\":1}}", "P1D");
            GenericKubernetesResource a = k8s().genericKubernetesResources(HubLabels.AGENTS).inNamespace("hardware-inventory")
                    .withLabel(HubLabels.HOST_CLASS, "cpu-highmem").withoutLabel(HubLabels.CLUSTER)
                    .withoutLabel(AgentPool.OUT_OF_SERVICE).list().getItems().get(0);
            a.getMetadata().getLabels().putAll(HubObjects.reservationLabels(ordered, "workers"));
            k8s().genericKubernetesResources(HubLabels.AGENTS).inNamespace("hardware-inventory").resource(a).update();
            assertEquals(1, cluster(ordered).getInt("metadata.version"), "no pass saved the cluster yet");
            return ordered;
        });
        awaitState(id, "READY");
        await().atMost(WAIT).until(() -> agentsOf(id).size() == 1 && freeHosts("cpu-highmem") == free - 1);
        assertEquals(1, cluster(id).getInt("status.node_sets.workers.ready"));
        delete(id);
        awaitState(id, "DELETED");
        await().atMost(WAIT).until(() -> freeHosts("cpu-highmem") == free);
    }

    @Test
    void anAgentVanishingMidProvisioningIsReplaced() {
        embedded.simulator().pause(true);
        String id;
        try {
            id = order("ocp-small", "{\"workers\":{\"size\":2}}", "P1D");
            await().atMost(WAIT).until(() -> agentsOf(id).size() == 2);
            String gone = agentsOf(id).get(0).getMetadata().getName();
            k8s().genericKubernetesResources(HubLabels.AGENTS).inNamespace("hardware-inventory").withName(gone).delete();
        } finally {
            embedded.simulator().pause(false);
        }
        awaitState(id, "READY");
        assertEquals(2, agentsOf(id).size());
        delete(id);
        awaitState(id, "DELETED");
    }
}
