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
}
