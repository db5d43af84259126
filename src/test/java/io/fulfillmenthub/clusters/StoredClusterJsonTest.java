package io.fulfillmenthub.clusters;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.fulfillmenthub.http.Page;
import io.fulfillmenthub.store.Db;
import io.fulfillmenthub.store.Json;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Cluster reads answer with the stored JSON columns as they are ({@link ClusterStore.Stored}); the body must be the
 * one a parse into {@link Cluster} and a re-serialisation gave before, byte for byte, for every shape a cluster takes.
 */
@QuarkusTest
class StoredClusterJsonTest {

    @Inject
    Db db;
    @Inject
    ClusterStore clusters;

    private final String tenant = "stored-json-" + System.nanoTime();

    @AfterEach
    void cleanUp() {
        db.tx(c -> Db.update(c, "delete from clusters where tenant = ?", tenant));
    }

    @Test
    void storedJsonIsWhatTheParsedClusterSerialisesTo() {
        List<Cluster> written = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
            Cluster k = cluster(i);
            db.tx(c -> {
                ClusterStore.insert(c, k);
                return null;
            });
            written.add(k);
        }
        // an update stores the same canonical form
        Cluster changed = written.get(4);
        changed.spec.templateParameters = null;
        changed.status.nodeSets = null;
        changed.metadata.labels = null;
        db.tx(c -> ClusterStore.update(c, changed, changed.metadata.version));
        for (Cluster k : written) {
            Cluster parsed = clusters.get(k.id);
            ClusterStore.Stored stored = clusters.getStored(k.id);
            assertEquals(Json.write(parsed), Json.write(stored), "cluster " + k.id);
            assertEquals(new String(Json.bytes(parsed), java.nio.charset.StandardCharsets.UTF_8),
                    new String(Json.bytes(stored), java.nio.charset.StandardCharsets.UTF_8));
        }
        for (String state : new String[] {null, "FAILED", "DELETED"}) {
            ClusterStore.Filter f = new ClusterStore.Filter(tenant, state, null, null, null);
            for (Page page : List.of(new Page(0, 50), new Page(2, 3), new Page(100, 10))) {
                long total = clusters.count(f);
                assertEquals(Json.write(Page.envelope(clusters.list(f, page), total)),
                        Json.write(Page.envelope(clusters.listStored(f, page), total)), state + " " + page);
            }
        }
    }

    @Test
    void specAndStatusWrittenOnceAreWhatAReadGivesBack() {
        for (int i = 0; i < 7; i++) {
            Cluster k = cluster(i);
            assertEquals(ClusterStore.canonical(k.spec, Cluster.Spec.class), ClusterStore.specJson(k.spec), "spec " + i);
            assertEquals(ClusterStore.canonical(k.status, Cluster.Status.class), ClusterStore.statusJson(k.status),
                    "status " + i);
            k.status.conditions = null;
            k.spec.nodeSets = null;
            assertEquals(ClusterStore.canonical(k.spec, Cluster.Spec.class), ClusterStore.specJson(k.spec), "spec " + i);
            assertEquals(ClusterStore.canonical(k.status, Cluster.Status.class), ClusterStore.statusJson(k.status),
                    "status " + i);
        }
    }

    @Test
    void anUnknownIdIsNull() {
        assertNull(clusters.getStored("no-such-cluster-" + System.nanoTime()));
    }

    /** Clusters of every shape: with and without labels, odd characters, numbers, deletion, nanoseconds. */
    private Cluster cluster(int i) {
        Cluster k = new Cluster();
        k.id = tenant + "-" + i;
        k.metadata.name = "c-" + i;
        k.metadata.tenant = tenant;
        k.metadata.version = 3 + i;
        Instant t = Instant.parse("2026-01-01T00:00:00Z").plusSeconds(60L * i).plusNanos(i * 123_456_789L);
        k.metadata.creationTimestamp = t;
        k.spec.template = "ocp-small";
        k.spec.templateVersion = 1;
        k.spec.duration = "P30D";
        k.spec.nodeSets.put("workers", new Cluster.NodeSetSpec(3 + i));
        k.status.state = i % 3 == 0 ? ClusterState.FAILED : i % 3 == 1 ? ClusterState.DELETED : ClusterState.READY;
        k.status.order = new Cluster.Order(i % 2 == 0 ? "api" : "billing", i % 2 == 0 ? null : "ref-" + i);
        k.status.setCondition("Accepted", true, "OrderAccepted", "the order was accepted", t);
        k.status.setCondition("Failed", i % 3 == 0, "InsufficientCapacity", "no \"hosts\" left: é ü ✓ \\ / \t", t);
        k.status.nodeSets.put("workers", new Cluster.NodeSetStatus("cpu-standard", 3 + i, i));
        switch (i) {
            case 0 -> {
                k.metadata.labels = null;
                k.metadata.annotations = null;
            }
            case 1 -> {
                k.metadata.labels.put("team", "a\"b");
                k.metadata.annotations.put("hub.fulfillment.io/contact-email", "x@example.com");
                k.metadata.deletionTimestamp = t.plusSeconds(3600);
                k.status.reason = "DeletionRequested";
            }
            case 2 -> {
                Map<String, Object> nested = new LinkedHashMap<>();
                nested.put("list", List.of(1, 2.5, "three", true));
                nested.put("big", 12345678901234567L);
                k.spec.templateParameters.put("fips", false);
                k.spec.templateParameters.put("network_type", "OVNKubernetes");
                k.spec.templateParameters.put("ratio", 0.1);
                k.spec.templateParameters.put("nested", nested);
                k.status.apiUrl = "https://api.c-2.clusters.example.com:6443";
                k.status.consoleUrl = "https://console.c-2";
                k.status.expiresAt = t.plusSeconds(86_400);
                k.status.hostsRequestedAt = t.plusMillis(400);
                k.status.controlPlaneRequestedAt = t.plusMillis(500);
                k.status.expiryNoticeSentAt = t.plusNanos(1);
            }
            case 3 -> k.spec.templateParameters = null;
            case 5 -> {
                // values that read back as something else: a decimal's trailing zero, a float, a set, a time
                k.spec.templateParameters.put("price", new java.math.BigDecimal("1.50"));
                k.spec.templateParameters.put("ratio", 0.3f);
                k.spec.templateParameters.put("zones", new java.util.TreeSet<>(List.of("b", "a")));
                k.spec.templateParameters.put("nested", Map.of("at", List.of(new java.math.BigDecimal("2.0"))));
            }
            case 4 -> {
                k.spec.nodeSets.put("gpu", new Cluster.NodeSetSpec(1));
                k.status.conditions.clear();
            }
            default -> k.metadata.labels.put("ünïcode", "✓");
        }
        return k;
    }
}
