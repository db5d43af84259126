package io.fulfillmenthub.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;

import io.fulfillmenthub.clusters.Cluster;
import io.fulfillmenthub.clusters.ClusterState;
import io.fulfillmenthub.clusters.ClusterStore;
import io.fulfillmenthub.inventory.InventoryStore;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The kept list totals (V8 triggers + {@link ListCounts}) equal a count of the rows after every kind of change. */
@QuarkusTest
class ListCountsTest {

    @Inject
    Db db;
    @Inject
    ListCounts counts;
    @Inject
    ClusterStore clusters;
    @Inject
    InventoryStore hosts;

    private final String tenant = "counts-" + System.nanoTime();
    private final String hostClass = "counts-class-" + System.nanoTime();

    @AfterEach
    void cleanUp() {
        db.tx(c -> Db.update(c, "delete from clusters where tenant = ?", tenant));
        db.tx(c -> Db.update(c, "delete from hosts where host_class = ?", hostClass));
    }

    @Test
    void clusterTotalsFollowInsertsStateChangesAndDeletes() {
        for (int i = 0; i < 12; i++) {
            Cluster k = new Cluster();
            k.id = tenant + "-" + i;
            k.metadata.name = "c" + i;
            k.metadata.tenant = tenant;
            k.metadata.creationTimestamp = Instant.parse("2026-01-01T00:00:00Z").plusSeconds(i);
            k.spec.template = "ocp-small";
            k.spec.templateVersion = 1;
            k.status.state = ClusterState.values()[i % ClusterState.values().length];
            k.status.order = new Cluster.Order("api", null);
            db.tx(c -> {
                ClusterStore.insert(c, k);
                return null;
            });
        }
        assertClusterTotals();
        // one statement changing many rows, one changing nothing that counts, one changing a row's state
        db.tx(c -> Db.update(c, "update clusters set state = 'DELETED' where tenant = ? and state = 'READY'", tenant));
        db.tx(c -> Db.update(c, "update clusters set reason = 'x' where tenant = ?", tenant));
        Cluster one = clusters.get(tenant + "-0");
        one.status.state = ClusterState.FAILED;
        boolean updated = db.tx(c -> ClusterStore.update(c, one, one.metadata.version));
        assertTrue(updated);
        assertClusterTotals();
        // a rolled-back change leaves the totals as they were
        try {
            db.tx(c -> {
                Db.update(c, "update clusters set state = 'READY' where tenant = ?", tenant);
                throw new IllegalStateException("roll back");
            });
        } catch (IllegalStateException expected) {
            // rolled back
        }
        assertClusterTotals();
        db.tx(c -> Db.update(c, "delete from clusters where tenant = ? and state = 'FAILED'", tenant));
        assertClusterTotals();
        for (int i = 0; i < ListCounts.FOLD_ABOVE + 5; i++) {
            String to = i % 2 == 0 ? "PROGRESSING" : "READY";
            db.tx(c -> Db.update(c, "update clusters set state = ? where id = ?", to, tenant + "-1"));
        }
        assertClusterTotals();
        // the totals above folded the deltas once a key had more than FOLD_ABOVE; a fold leaves one row per key
        counts.fold("clusters");
        long after = db.read(c -> Db.count(c, "select count(*) from list_counts where tbl = 'clusters' and k1 = ?", tenant));
        assertTrue(after <= ClusterState.values().length, "folded into " + after + " rows");
        assertClusterTotals();
    }

    @Test
    void aFoldedTableWithManyKeysIsNotFoldedAgainByEveryTotal() {
        // more keys than FOLD_ABOVE: one row per key after a fold must not count as deltas to fold
        for (int i = 0; i < ListCounts.FOLD_ABOVE + 10; i++) {
            Cluster k = new Cluster();
            k.id = tenant + "-many-" + i;
            k.metadata.name = "m" + i;
            k.metadata.tenant = tenant;
            k.metadata.creationTimestamp = Instant.now();
            k.spec.template = "ocp-small";
            k.spec.templateVersion = 1;
            k.status.state = ClusterState.FAILED;
            k.status.order = new Cluster.Order("api", null);
            db.tx(c -> {
                ClusterStore.insert(c, k);
                // each in a tenant of its own: many keys
                Db.update(c, "update clusters set tenant = ? where id = ?", tenant + "-t" + k.id.hashCode(), k.id);
                return null;
            });
        }
        counts.fold("clusters");
        long before = counts.folds.get();
        ClusterStore.Filter all = new ClusterStore.Filter(null, null, null, null, null);
        for (int i = 0; i < 3; i++) {
            clusters.count(all);
        }
        assertEquals(before, counts.folds.get(), "totals over a folded table fold nothing");
        db.tx(c -> Db.update(c, "delete from clusters where id like ?", tenant + "-many-%"));
        assertEventuallyEqual(() -> clusters.countRows(all), () -> clusters.count(all), "all tenants");
    }

    @Test
    void hostTotalsFollowUpsertsAndPrunes() {
        // synced "in the future": the inventory resync prunes rows it has not seen since it started
        Instant now = Instant.now().plusSeconds(86_400);
        for (int i = 0; i < 9; i++) {
            io.fulfillmenthub.inventory.Host h = new io.fulfillmenthub.inventory.Host();
            h.id = hostClass + "-" + i;
            h.status.hostClass = hostClass;
            h.status.state = io.fulfillmenthub.inventory.HostState.values()[i % 4];
            db.tx(c -> InventoryStore.upsert(c, h, now));
        }
        assertHostTotals();
        db.tx(c -> Db.update(c, "update hosts set state = 'OFFLINE' where host_class = ? and state = 'AVAILABLE'", hostClass));
        db.tx(c -> Db.update(c, "delete from hosts where id = ?", hostClass + "-1"));
        assertHostTotals();
        counts.fold("hosts");
        assertHostTotals();
        counts.foldAll();
        assertHostTotals();
        assertClusterTotals();
    }

    private void assertClusterTotals() {
        for (String state : new String[] {null, "PROGRESSING", "READY", "FAILED", "DELETING", "DELETED"}) {
            ClusterStore.Filter mine = new ClusterStore.Filter(tenant, state, null, null, null);
            assertEquals(clusters.countRows(mine), clusters.count(mine), "state " + state);
            // every tenant: the hub's own work may change rows between the two reads, so until they agree
            ClusterStore.Filter all = new ClusterStore.Filter(null, state, null, null, null);
            assertEventuallyEqual(() -> clusters.countRows(all), () -> clusters.count(all), "all tenants, state " + state);
            if (state != null) {
                // the metrics' gauges by state come from the same counts
                assertEventuallyEqual(() -> db.read(c -> Db.count(c, "select count(*) from clusters where state = ?", state)),
                        () -> clusters.countByState().get(state), "hub_clusters " + state);
            }
        }
    }

    private void assertHostTotals() {
        for (String state : new String[] {null, "AVAILABLE", "RESERVED", "OFFLINE", "MAINTENANCE"}) {
            InventoryStore.Filter mine = new InventoryStore.Filter(hostClass, state, null);
            assertEquals(hosts.countRows(mine), hosts.count(mine), "state " + state);
            InventoryStore.Filter all = new InventoryStore.Filter(null, state, null);
            assertEventuallyEqual(() -> hosts.countRows(all), () -> hosts.count(all), "all classes, state " + state);
        }
    }

    private static void assertEventuallyEqual(java.util.function.LongSupplier rows, java.util.function.LongSupplier kept,
            String what) {
        long r = 0;
        long k = 0;
        for (int i = 0; i < 50; i++) {
            r = rows.getAsLong();
            k = kept.getAsLong();
            if (r == k) {
                return;
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        assertEquals(r, k, what);
    }
}
