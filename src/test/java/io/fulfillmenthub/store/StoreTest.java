package io.fulfillmenthub.store;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

/** The suite runs on the database the environment chose: PostgreSQL when HUB_DB_URL is set, H2 otherwise. */
@QuarkusTest
class StoreTest {

    @Inject
    Db db;

    @Test
    void runsOnTheChosenDatabase() {
        String url = System.getenv("HUB_DB_URL");
        boolean pg = url != null && url.startsWith("jdbc:postgresql:");
        assertEquals(pg ? "pg" : "h2", db.kind());
        String product = db.read(c -> c.getMetaData().getDatabaseProductName());
        assertEquals(pg ? "PostgreSQL" : "H2", product);
    }

    @Test
    void enqueueingTwiceKeepsOneItemAndTheEarlierDueTime() {
        String key = "k-" + System.nanoTime();
        java.time.Instant later = java.time.Instant.now().plusSeconds(3600);
        java.time.Instant sooner = java.time.Instant.now().plusSeconds(60);
        db.tx(c -> {
            WorkQueue.enqueue(c, "test", key, later);
            WorkQueue.enqueue(c, "test", key, sooner);
            return null;
        });
        long n = db.read(c -> Db.count(c, "select count(*) from work_items where kind = 'test' and item_key = ?", key));
        assertEquals(1, n);
        assertEquals(sooner.getEpochSecond(), dueAt("test", key).getEpochSecond());
    }

    @Test
    void aResyncAddsWhatIsNotQueuedAndLeavesQueuedItemsTheirTurn() {
        String kind = "resync-" + System.nanoTime();
        java.time.Instant later = java.time.Instant.now().plusSeconds(3600);
        java.time.Instant now = java.time.Instant.now();
        db.tx(c -> {
            WorkQueue.enqueue(c, kind, "a", later);
            return null;
        });
        String keys = "select x.k as item_key from (values ('a'), ('b'), ('c')) x(k)";
        assertEquals(2, (int) db.tx(c -> WorkQueue.enqueueMissing(c, kind, keys, now)));
        assertEquals(0, (int) db.tx(c -> WorkQueue.enqueueMissing(c, kind, keys, now)));
        assertEquals(3L, (long) db.read(c -> Db.count(c, "select count(*) from work_items where kind = ?", kind)));
        assertEquals(later.getEpochSecond(), dueAt(kind, "a").getEpochSecond());
    }

    @Test
    void enqueueingManyAtOnceQueuesEachKeyOnceWithTheEarlierDueTimeAndBumpsTheQueuedOnes() {
        String kind = "batch-" + System.nanoTime();
        java.time.Instant later = java.time.Instant.now().plusSeconds(3600);
        java.time.Instant sooner = java.time.Instant.now().plusSeconds(60);
        db.tx(c -> {
            WorkQueue.enqueue(c, kind, "a", later);
            return null;
        });
        long generationA = generation(kind, "a");
        db.tx(c -> {
            WorkQueue.enqueueAll(c, kind, java.util.List.of("a", "b", "b", "c"), sooner);
            return null;
        });
        assertEquals(java.util.List.of("a", "b", "c"), db.read(c -> Db.list(c,
                "select item_key from work_items where kind = ? order by item_key", rs -> rs.getString(1), kind)));
        for (String k : java.util.List.of("a", "b", "c")) {
            assertEquals(sooner.getEpochSecond(), dueAt(kind, k).getEpochSecond(), k);
        }
        assertEquals(generationA + 1, generation(kind, "a"), "the worker of a queued item learns it changed");
    }

    @Test
    void aClaimLeasesUpToMaxDueItemsInOneGoAndNoneTwice() {
        String kind = "claim-" + System.nanoTime();
        java.time.Instant past = java.time.Instant.now().minusSeconds(5);
        db.tx(c -> {
            for (int i = 0; i < 5; i++) {
                WorkQueue.enqueue(c, kind, "k" + i, past.plusMillis(i));
            }
            WorkQueue.enqueue(c, kind, "later", java.time.Instant.now().plusSeconds(3600));
            return null;
        });
        WorkQueue queue = io.quarkus.arc.Arc.container().instance(WorkQueue.class).get();
        java.util.List<WorkQueue.Item> first = queue.claim(kind, "a", java.time.Duration.ofMinutes(1), 3);
        assertEquals(java.util.List.of("k0", "k1", "k2"), first.stream().map(WorkQueue.Item::key).toList());
        java.util.List<WorkQueue.Item> second = queue.claim(kind, "b", java.time.Duration.ofMinutes(1), 3);
        assertEquals(java.util.List.of("k3", "k4"), second.stream().map(WorkQueue.Item::key).toList());
        assertEquals(0, queue.claim(kind, "c", java.time.Duration.ofMinutes(1), 3).size());
        assertEquals(2L, (long) db.read(c -> Db.count(c, "select count(*) from work_items where kind = ? and lease_owner = 'b'", kind)));
        // enqueued again while leased: completing keeps it (released, due) instead of dropping the new work
        db.tx(c -> {
            WorkQueue.enqueue(c, kind, "k0", java.time.Instant.now());
            return null;
        });
        db.tx(c -> {
            for (WorkQueue.Item i : first) {
                WorkQueue.complete(c, i);
            }
            return null;
        });
        assertEquals(java.util.List.of("k0"), db.read(c -> Db.list(c, "select item_key from work_items where kind = ?"
                + " and item_key like 'k%' and lease_owner is null", rs -> rs.getString(1), kind)));
    }

    @Test
    void whileWebhooksPourInAConsumerClaimsTheBusyBatchThenTheRestOnceTheyStop() throws InterruptedException {
        String kind = "busy-" + System.nanoTime();
        java.time.Instant past = java.time.Instant.now().minusSeconds(5);
        db.tx(c -> {
            for (int i = 0; i < 5; i++) {
                WorkQueue.enqueue(c, kind, "k" + i, past.plusMillis(i));
            }
            return null;
        });
        WorkQueue queue = io.quarkus.arc.Arc.container().instance(WorkQueue.class).get();
        for (int i = 0; i < 40; i++) {
            IntakePace.HUB.arrived(); // deliveries at far more than the busy rate of 100 a second
        }
        assertEquals(java.util.List.of("k0", "k1"), queue.claim(kind, "a", java.time.Duration.ofMinutes(1), 16).stream()
                .map(WorkQueue.Item::key).toList(), "hub.intake.busy-batch items at a time while they pour in");
        Thread.sleep(250); // two windows of the arrival count without a delivery: quiet again
        assertEquals(java.util.List.of("k2", "k3", "k4"), queue.claim(kind, "a", java.time.Duration.ofMinutes(1), 16)
                .stream().map(WorkQueue.Item::key).toList());
    }

    private java.time.Instant dueAt(String kind, String key) {
        return db.read(c -> Db.one(c, "select due_at from work_items where kind = ? and item_key = ?",
                rs -> Db.instant(rs, "due_at"), kind, key));
    }

    private long generation(String kind, String key) {
        return db.read(c -> Db.one(c, "select generation from work_items where kind = ? and item_key = ?",
                rs -> rs.getLong(1), kind, key));
    }
}
