package io.fulfillmenthub.events.webhooks;

import static io.fulfillmenthub.events.EventsTesting.subscribe;
import static io.fulfillmenthub.events.EventsTesting.unsubscribe;
import static io.fulfillmenthub.events.webhooks.WebhookDeliveryTest.about;
import static io.fulfillmenthub.events.webhooks.WebhookDeliveryTest.accepted;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.fulfillmenthub.events.EventSettings;
import io.fulfillmenthub.events.Outbox;
import io.fulfillmenthub.events.TestSubscriber;
import io.fulfillmenthub.events.TestSubscriber.Reply;
import io.fulfillmenthub.store.Db;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

/**
 * The relay's throughput design: many sends in flight at once (asynchronous, refilled as soon as one finishes), a
 * bounded share per subscription, and outcomes recorded in batches. No timing assertions: only what was concurrent.
 * Events are appended to the outbox directly (no clusters ordered: the demo inventory is left alone). A subscriber
 * never holds a request longer than the test profile's 2 s timeout, so no abandoned request is counted as open.
 */
@QuarkusTest
class WebhookRelayTest {

    @Inject
    Db db;
    @Inject
    EventSettings settings;

    /** Appends {@code n} cluster.created events of tenant demo, one subject each; returns the subjects. */
    List<String> events(int n) {
        List<String> subjects = new ArrayList<>();
        db.tx(c -> {
            for (int i = 0; i < n; i++) {
                String id = "relay-" + UUID.randomUUID();
                Outbox.append(c, "cluster.created", "demo", id, Map.of("id", id));
                subjects.add(id);
            }
            return null;
        });
        return subjects;
    }

    @Test
    void manyDeliveriesToOneSubscriberAreInFlightAtOnce() {
        int n = 12; // more than the old limits (2 per subscription, 8 in all), less than the new ones
        assertTrue(settings.perSubscription() >= n && settings.webhookConcurrency() >= n);
        CountDownLatch together = new CountDownLatch(n);
        AtomicInteger now = new AtomicInteger();
        AtomicInteger most = new AtomicInteger();
        try (TestSubscriber sub = new TestSubscriber().answer(r -> {
            most.accumulateAndGet(now.incrementAndGet(), Math::max);
            together.countDown();
            try {
                // every request waits until n of them are open at once (or gives up, and is retried)
                boolean all = together.await(1500, TimeUnit.MILLISECONDS);
                return Reply.status(all ? 204 : 503);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return Reply.status(503);
            } finally {
                now.decrementAndGet();
            }
        })) {
            Map<String, String> s = subscribe("tenant-admin", sub.url("/many"), "cluster.created");
            try {
                List<String> clusters = events(n);
                await().atMost(Duration.ofSeconds(30)).until(() -> clusters.stream().allMatch(c -> accepted(sub, c).size() == 1));
                assertEquals(0, together.getCount(), "the subscriber never saw " + n + " requests open at once");
                assertTrue(most.get() >= n, "at most " + most.get() + " at once");
                await().atMost(Duration.ofSeconds(10)).until(() -> db.read(c -> Db.count(c,
                        "select count(*) from webhook_deliveries where subscription_id = ? and state = 'DELIVERED'",
                        s.get("id"))) == n);
                long attempts = db.read(c -> Db.count(c, "select count(*) from webhook_attempts where subscription_id = ?",
                        s.get("id")));
                assertEquals(clusters.stream().mapToInt(c -> about(sub, c).size()).sum(), attempts, "one log row per request");
            } finally {
                unsubscribe("tenant-admin", s.get("id"));
            }
        }
    }

    @Test
    void aSlowSubscriberGetsAtMostItsShareOfSendersAtOnce() {
        int events = settings.perSubscription() + 8;
        AtomicInteger now = new AtomicInteger();
        AtomicInteger most = new AtomicInteger();
        try (TestSubscriber stuck = new TestSubscriber().answer(r -> {
            most.accumulateAndGet(now.incrementAndGet(), Math::max);
            try {
                Thread.sleep(800); // slow, but answers within the timeout
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                now.decrementAndGet();
            }
            return Reply.status(204);
        });
                TestSubscriber quick = new TestSubscriber()) {
            Map<String, String> a = subscribe("tenant-admin", stuck.url("/stuck"), "cluster.created");
            Map<String, String> b = subscribe("tenant-admin", quick.url("/quick"), "cluster.created");
            try {
                List<String> clusters = events(events);
                // the quick one gets every event, the slow one a bounded share of the senders at a time
                await().atMost(Duration.ofSeconds(30)).until(() -> clusters.stream().allMatch(c -> accepted(quick, c).size() == 1));
                await().atMost(Duration.ofSeconds(30)).until(() -> clusters.stream().allMatch(c -> accepted(stuck, c).size() == 1));
                assertTrue(most.get() <= settings.perSubscription() && most.get() > 2,
                        most.get() + " requests open at once at the slow subscriber");
            } finally {
                unsubscribe("tenant-admin", a.get("id"));
                unsubscribe("tenant-admin", b.get("id"));
            }
        }
    }

    /**
     * Response bodies are read and dropped: a body past the pooled client's flow-control window (64 KiB) must not
     * leave its connection stalled for the next request on it (eclipse-vertx/vert.x#5663), and a body past the drain
     * bound (1 MiB) closes the connection without failing the delivery: the status is the answer.
     */
    @Test
    void largeResponseBodiesAreDrainedAndTheConnectionsStayUsable() {
        int n = 30;
        AtomicInteger calls = new AtomicInteger();
        try (TestSubscriber sub = new TestSubscriber().answer(r -> new Reply(200, Map.of(), 0,
                calls.incrementAndGet() % 3 == 0 ? (int) WebhookWorker.MAX_DRAINED_BODY * 2 : 200 * 1024))) {
            Map<String, String> s = subscribe("tenant-admin", sub.url("/chatty"), "cluster.created");
            try {
                List<String> first = events(n);
                await().atMost(Duration.ofSeconds(30)).until(() -> db.read(c -> Db.count(c,
                        "select count(*) from webhook_deliveries where subscription_id = ? and state = 'DELIVERED'",
                        s.get("id"))) == n);
                // and again, on whatever connections are pooled now
                List<String> second = events(n);
                await().atMost(Duration.ofSeconds(30)).until(() -> db.read(c -> Db.count(c,
                        "select count(*) from webhook_deliveries where subscription_id = ? and state = 'DELIVERED'",
                        s.get("id"))) == 2 * n);
                long failed = db.read(c -> Db.count(c,
                        "select count(*) from webhook_attempts where subscription_id = ? and error is not null", s.get("id")));
                assertEquals(0, failed, "every attempt succeeded at the first try");
                assertTrue(second.stream().allMatch(c -> accepted(sub, c).size() == 1));
                assertTrue(first.stream().allMatch(c -> accepted(sub, c).size() == 1));
            } finally {
                unsubscribe("tenant-admin", s.get("id"));
            }
        }
    }

    /** Nothing listens: the attempt is recorded as a connection failure (and retried by the schedule). */
    @Test
    void aRefusedConnectionIsRecordedAsSuch() throws Exception {
        int port;
        try (java.net.ServerSocket free = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = free.getLocalPort();
        }
        Map<String, String> s = subscribe("tenant-admin", "http://127.0.0.1:" + port + "/nobody", "cluster.created");
        try {
            events(1);
            await().atMost(Duration.ofSeconds(10)).until(() -> db.read(c -> Db.count(c,
                    "select count(*) from webhook_attempts where subscription_id = ?", s.get("id"))) >= 1);
            String error = db.read(c -> Db.one(c, "select error from webhook_attempts where subscription_id = ?"
                    + " order by attempt fetch first 1 rows only", rs -> rs.getString(1), s.get("id")));
            assertEquals("connection failed", error);
        } finally {
            unsubscribe("tenant-admin", s.get("id"));
        }
    }
}
