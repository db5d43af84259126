package io.fulfillmenthub.clusters;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import java.util.function.Predicate;
import java.util.stream.Collectors;

import io.fulfillmenthub.http.Page;
import io.fulfillmenthub.inventory.Host;
import io.fulfillmenthub.inventory.HostState;
import io.fulfillmenthub.inventory.InventoryStore;
import io.fulfillmenthub.store.Db;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Pages of the cluster and host lists are looked up id first ({@code Db.pageById}): every page, at every offset, must
 * be exactly the slice of the filtered list in its contract order (creation time, then id; hosts by id), with ties on
 * the creation time broken by id, other tenants and deleted clusters left out as the filter says.
 */
@QuarkusTest
class ListPagesTest {

    @Inject
    Db db;
    @Inject
    ClusterStore clusters;
    @Inject
    InventoryStore hosts;

    private final String run = Long.toString(System.nanoTime(), 36);
    private final String tenant = "pages-" + run;
    private final String other = "pages-other-" + run;
    private final String template = "pages-template-" + run;
    private final String hostClass = "pages-class-" + run;

    private record Row(String id, String tenant, Instant created, ClusterState state) {
    }

    @AfterEach
    void cleanUp() {
        db.tx(c -> Db.update(c, "delete from clusters where tenant in (?, ?)", tenant, other));
        db.tx(c -> Db.update(c, "delete from hosts where host_class = ?", hostClass));
    }

    @Test
    void everyClusterPageIsTheSliceOfTheFilteredListInCreationThenIdOrder() {
        List<Row> rows = new ArrayList<>();
        Instant t0 = Instant.parse("2026-03-01T00:00:00Z");
        for (int i = 0; i < 90; i++) {
            // three clusters share each creation time (ties broken by id, which is random here); one in three of
            // the others' belongs to another tenant, interleaved in time
            String owner = i % 3 == 2 ? other : tenant;
            ClusterState state = i % 4 == 0 ? ClusterState.DELETED : i % 5 == 0 ? ClusterState.PROGRESSING : ClusterState.READY;
            rows.add(new Row(UUID.randomUUID().toString(), owner, t0.plusSeconds(60L * (i / 3)), state));
        }
        for (Row r : rows) {
            db.tx(c -> {
                ClusterStore.insert(c, cluster(r));
                return null;
            });
        }
        check(new ClusterStore.Filter(tenant, null, null, null, null),
                r -> r.tenant.equals(tenant) && r.state != ClusterState.DELETED, rows);
        check(new ClusterStore.Filter(tenant, "DELETED", null, null, null),
                r -> r.tenant.equals(tenant) && r.state == ClusterState.DELETED, rows);
        check(new ClusterStore.Filter(tenant, "READY", null, null, null),
                r -> r.tenant.equals(tenant) && r.state == ClusterState.READY, rows);
        // an admin's list (every tenant), narrowed to this test's template
        check(new ClusterStore.Filter(null, null, null, template, null), r -> r.state != ClusterState.DELETED, rows);
    }

    @Test
    void everyHostPageIsTheSliceOfTheFilteredListInIdOrder() {
        List<Host> written = new ArrayList<>();
        Instant now = Instant.now();
        for (int i = 0; i < 70; i++) {
            Host h = new Host();
            h.id = hostClass + "-" + UUID.randomUUID();
            h.status.hostClass = hostClass;
            h.status.state = i % 3 == 0 ? HostState.AVAILABLE : HostState.RESERVED;
            h.status.hostname = h.id + ".example.com";
            // synced "in the future": the inventory resync prunes rows it has not seen since it started
            db.tx(c -> InventoryStore.upsert(c, h, now.plusSeconds(3600)));
            written.add(h);
        }
        for (String state : new String[] {null, "AVAILABLE"}) {
            List<String> expected = written.stream()
                    .filter(h -> state == null || h.status.state.name().equals(state))
                    .map(h -> h.id).sorted().collect(Collectors.toList());
            InventoryStore.Filter f = new InventoryStore.Filter(hostClass, state, null);
            for (int offset : new int[] {0, 1, 7, 23, expected.size() - 3, expected.size(), expected.size() + 5}) {
                for (int limit : new int[] {1, 10, 50}) {
                    List<String> got = hosts.list(f, new Page(offset, limit)).stream().map(h -> h.id).toList();
                    assertEquals(slice(expected, offset, limit), got, "hosts " + state + " offset " + offset + " limit " + limit);
                }
            }
        }
    }

    private void check(ClusterStore.Filter f, Predicate<Row> matches, List<Row> rows) {
        List<String> expected = rows.stream().filter(matches)
                .sorted(Comparator.comparing(Row::created).thenComparing(Row::id))
                .map(Row::id).collect(Collectors.toList());
        assertFalse(expected.isEmpty(), "the filter " + f + " must match some clusters");
        for (int offset : new int[] {0, 1, 2, 5, 13, expected.size() - 2, expected.size(), expected.size() + 10}) {
            for (int limit : new int[] {1, 4, 50}) {
                Page page = new Page(offset, limit);
                assertEquals(slice(expected, offset, limit),
                        clusters.listStored(f, page).stream().map(s -> s.id).toList(), f + " " + page + " (stored)");
                assertEquals(slice(expected, offset, limit),
                        clusters.list(f, page).stream().map(k -> k.id).toList(), f + " " + page);
            }
        }
    }

    private static List<String> slice(List<String> all, int offset, int limit) {
        return all.subList(Math.min(offset, all.size()), Math.min(offset + limit, all.size()));
    }

    private Cluster cluster(Row r) {
        Cluster k = new Cluster();
        k.id = r.id;
        k.metadata.name = "p-" + r.id.substring(0, 8);
        k.metadata.tenant = r.tenant;
        k.metadata.version = 1;
        k.metadata.creationTimestamp = r.created;
        k.spec.template = template;
        k.spec.templateVersion = 1;
        k.spec.duration = "P30D";
        k.spec.nodeSets.put("workers", new Cluster.NodeSetSpec(3));
        k.status.state = r.state;
        k.status.order = new Cluster.Order("api", null);
        return k;
    }
}
