package io.fulfillmenthub.provisioning;

import static io.fulfillmenthub.provisioning.ProvisioningTest.CLUSTERS;
import static io.fulfillmenthub.provisioning.ProvisioningTest.awaitState;
import static io.fulfillmenthub.provisioning.ProvisioningTest.cluster;
import static io.fulfillmenthub.provisioning.ProvisioningTest.order;
import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fulfillmenthub.embedded.EmbeddedMode;
import io.fulfillmenthub.embedded.LocalHubAccess;
import io.fulfillmenthub.provisioning.hub.HubLabels;
import io.fulfillmenthub.store.Db;
import io.fulfillmenthub.testsupport.Tokens;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Faults of the management hub's API while a cluster is provisioned: error answers at each step (a pass that dies
 * between two steps, as a crash would leave it), a kind the hub does not serve, a call that times out, and a scale
 * racing a delete. Whatever happens, the cluster ends READY (or DELETED) with one HostedCluster, one NodePool per
 * node set and exactly its hosts, and while the hub fails the cluster says so.
 */
@QuarkusTest
class ProvisioningFaultsTest {

    static final String HYPERSHIFT = "/apis/hypershift.openshift.io/v1beta1/namespaces/";

    @Inject
    EmbeddedMode embedded;
    @Inject
    ManagementHub hub;
    @Inject
    Db db;

    KubernetesMockServer api() {
        return LocalHubAccess.server(embedded);
    }

    KubernetesClient k8s() {
        return hub.client();
    }

    /**
     * Orders a cluster while the reservation lock of its host class is held here, so the reconcile cannot reach the
     * hub before {@code faults} are set up on the cluster's own paths; then lets it go.
     */
    String orderWithFaults(int size, Consumer<String> faults) throws Exception {
        ProvisioningTest.ensureTemplate();
        try {
            db.tx(c -> Db.update(c, "insert into host_classes (name) values ('cpu-highmem')"));
        } catch (RuntimeException e) {
            if (!Db.isUniqueViolation(e)) {
                throw e;
            }
        }
        try (Connection c = db.dataSource().getConnection()) {
            c.setAutoCommit(false);
            Db.list(c, "select name from host_classes where name = 'cpu-highmem' for update", rs -> rs.getString(1));
            String id = order("ocp-small", "{\"workers\":{\"size\":" + size + "}}", "P1D");
            faults.accept(id);
            c.rollback();
            return id;
        }
    }

    static String status(int code, String reason) {
        return "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"status\":\"Failure\",\"reason\":\"" + reason
                + "\",\"message\":\"injected by the test\",\"code\":" + code + "}";
    }

    static String postPath(String step, String id) {
        return switch (step) {
            case "namespaces" -> "/api/v1/namespaces";
            case "secrets" -> "/api/v1/namespaces/fh-" + id + "/secrets";
            case "hostedclusters" -> HYPERSHIFT + "fh-" + id + "/hostedclusters";
            case "nodepools" -> HYPERSHIFT + "fh-" + id + "/nodepools";
            default -> throw new IllegalArgumentException(step);
        };
    }

    /** Exactly what a READY cluster of {@code size} workers owns on the hub, no more. */
    void assertOwnsExactly(String id, int size) {
        String ns = "fh-" + id;
        String name = cluster(id).getString("metadata.name");
        var hcs = k8s().genericKubernetesResources(HubLabels.HOSTED_CLUSTERS).inNamespace(ns).list().getItems();
        assertEquals(List.of(name), hcs.stream().map(h -> h.getMetadata().getName()).toList(), "one HostedCluster");
        var pools = k8s().genericKubernetesResources(HubLabels.NODE_POOLS).inNamespace(ns).list().getItems();
        assertEquals(List.of(name + "-workers"), pools.stream().map(p -> p.getMetadata().getName()).toList(), "one NodePool");
        assertEquals(size, k8s().genericKubernetesResources(HubLabels.AGENTS).inNamespace("hardware-inventory")
                .withLabel(HubLabels.CLUSTER, id).list().getItems().size(), "its hosts, no more");
    }

    static Map<String, Object> degraded(String id) {
        return cluster(id).getMap("status.conditions.find { it.type == 'Degraded' }");
    }

    /**
     * The hub answers one step's create with errors for two passes in a row (the client's own retries included): the
     * pass stops between two steps, as a crash would stop it, and the next pass takes up from the hub's state.
     */
    @ParameterizedTest(name = "{0} answers {1} {2} times")
    @CsvSource({
            "namespaces, 500, 8, InternalError",
            "secrets, 503, 8, ServiceUnavailable",
            // a real hub without the HyperShift CRDs: the kind is not served
            "hostedclusters, 404, 2, NotFound",
            // the HostedCluster exists, its pass died before it was recorded: created again -> 409, never twice
            "nodepools, 500, 8, InternalError"})
    void aFailingStepIsShownRetriedAndNeverDuplicated(String step, int code, int times, String reason) throws Exception {
        String id = orderWithFaults(2, cid -> api().expect().post().withPath(postPath(step, cid))
                .andReturn(code, status(code, reason)).times(times));
        // the cluster shows the outage while it lasts, and a cluster.degraded event reports it as it begins: read
        // from that event, since the condition itself may already be gone when a poll of the cluster comes
        AtomicReference<JsonPath> event = new AtomicReference<>();
        await().atMost(ProvisioningTest.WAIT).pollInterval(Duration.ofMillis(200)).until(() -> {
            JsonPath events = given().header("Authorization", Tokens.bearer("tenant-admin")).queryParam("after", 0)
                    .queryParam("limit", 1000).queryParam("types", "cluster.degraded").get("/api/fulfillment/v1/events")
                    .then().statusCode(200).extract().jsonPath();
            if (events.param("c", id).getMap("items.find { it.subject == c }") == null) {
                return false;
            }
            event.set(JsonPath.from(io.fulfillmenthub.store.Json.write(events.param("c", id)
                    .getMap("items.find { it.subject == c }.data"))));
            return true;
        });
        Map<String, Object> seen = event.get().getMap("status.conditions.find { it.type == 'Degraded' }");
        assertEquals("HubUnreachable", seen.get("reason"));
        assertEquals("True", seen.get("status"));
        String message = (String) seen.get("message");
        assertTrue(message.contains("HTTP " + code + " " + reason) && message.contains("injected by the test"), message);
        assertEquals("PROGRESSING", event.get().getString("status.state"), "a hub error is retried, not a failure");

        awaitState(id, "READY");
        assertOwnsExactly(id, 2);
        assertEquals("False", degraded(id).get("status"), "the hub answers again");
        ProvisioningTest.delete(id);
        awaitState(id, "DELETED");
    }

    /** A create that gets no answer within the request timeout is sent again; the cluster still gets one of each. */
    @Test
    void aCallThatTimesOutIsRetried() throws Exception {
        String id = orderWithFaults(1, cid -> api().expect().post().delay(17, TimeUnit.SECONDS)
                .withPath(postPath("hostedclusters", cid)).andReturn(500, status(500, "Timeout")).once());
        awaitState(id, "READY");
        assertOwnsExactly(id, 1);
        ProvisioningTest.delete(id);
        awaitState(id, "DELETED");
    }

    /** Growing a cluster and deleting it at the same moment: it ends DELETED with nothing left on the hub. */
    @Test
    void scaleAndDeleteRacing() {
        String id = order("ocp-small", "{\"workers\":{\"size\":1}}", "P1D");
        awaitState(id, "READY");
        String name = cluster(id).getString("metadata.name");
        CompletableFuture<Integer> scale = CompletableFuture.supplyAsync(() -> given()
                .header("Authorization", Tokens.bearer("tenant-admin")).contentType(ContentType.JSON)
                .body("{\"spec\":{\"node_sets\":{\"workers\":{\"size\":3}}}}").patch(CLUSTERS + "/" + id).statusCode());
        CompletableFuture<Integer> delete = CompletableFuture.supplyAsync(() -> given()
                .header("Authorization", Tokens.bearer("tenant-admin")).delete(CLUSTERS + "/" + id).statusCode());
        assertEquals(202, delete.join());
        int scaled = scale.join();
        assertTrue(scaled == 202 || scaled == 409, "scale answered " + scaled);

        awaitState(id, "DELETED");
        JsonPath c = cluster(id);
        assertEquals("DeletionRequested", c.getString("status.conditions.find { it.type == 'Ready' }.reason"));
        await().atMost(ProvisioningTest.WAIT).until(() -> k8s().genericKubernetesResources(HubLabels.AGENTS)
                .inNamespace("hardware-inventory").withLabel(HubLabels.CLUSTER, id).list().getItems().isEmpty());
        assertTrue(k8s().genericKubernetesResources(HubLabels.HOSTED_CLUSTERS).inNamespace("fh-" + id).withName(name)
                .get() == null);
        assertTrue(k8s().genericKubernetesResources(HubLabels.NODE_POOLS).inNamespace("fh-" + id).list().getItems()
                .isEmpty());
    }
}
