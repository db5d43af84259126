package io.fulfillmenthub.events.webhooks;

import static io.fulfillmenthub.events.EventsTesting.deliveries;
import static io.fulfillmenthub.events.EventsTesting.orderCluster;
import static io.fulfillmenthub.events.EventsTesting.scale;
import static io.fulfillmenthub.events.EventsTesting.subscribe;
import static io.fulfillmenthub.events.EventsTesting.unsubscribe;
import static io.fulfillmenthub.events.webhooks.WebhookDeliveryTest.about;
import static io.fulfillmenthub.events.webhooks.WebhookDeliveryTest.accepted;
import static io.fulfillmenthub.events.webhooks.WebhookDeliveryTest.deliveryOf;
import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import io.fulfillmenthub.events.EventSettings;
import io.fulfillmenthub.events.SettingsAccess;
import io.fulfillmenthub.events.TestSubscriber;
import io.fulfillmenthub.events.TestSubscriber.Received;
import io.fulfillmenthub.store.Db;
import io.fulfillmenthub.testsupport.Tokens;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

/** Several replicas on one database, a replica that dies mid-delivery, and targets that change address. */
@QuarkusTest
class WebhookReplicasTest {

    @Inject
    Db db;
    @Inject
    EventSettings settings;
    @Inject
    SecretBox secrets;
    @Inject
    MeterRegistry metrics;
    @Inject
    io.vertx.core.Vertx vertx;

    /** A second replica's webhook worker: same database, its own lease owner name, its own senders. */
    WebhookWorker secondReplica() {
        WebhookWorker w = new WebhookWorker();
        w.db = db;
        w.settings = settings;
        w.secrets = secrets;
        w.metrics = metrics;
        w.vertx = vertx;
        w.owner = "replica-b";
        w.start(null);
        return w;
    }

    @Test
    void twoReplicasDeliverEveryEventOnceInOrderPerCluster() {
        WebhookWorker b = secondReplica();
        try (TestSubscriber sub = new TestSubscriber()) {
            Map<String, String> s = subscribe("tenant-admin", sub.url("/replicas"), "cluster.created", "cluster.scaled");
            try {
                List<String> clusters = new ArrayList<>();
                for (int i = 0; i < 8; i++) {
                    String c = orderCluster("tenant-admin");
                    clusters.add(c);
                    scale("tenant-admin", c, 2);
                }
                await().atMost(Duration.ofSeconds(20)).until(() -> clusters.stream().allMatch(c -> accepted(sub, c).size() == 2));
                await().pollDelay(Duration.ofMillis(500)).atMost(Duration.ofSeconds(2)).until(() -> true);
                for (String c : clusters) {
                    List<Received> got = about(sub, c);
                    assertEquals(2, got.size(), "delivered once each: " + c);
                    assertEquals(List.of("io.fulfillmenthub.cluster.created", "io.fulfillmenthub.cluster.scaled"),
                            got.stream().map(r -> r.json().get("type").asText()).toList());
                }
                long rows = db.read(c -> Db.count(c, "select count(*) from webhook_deliveries where subscription_id = ?", s.get("id")));
                assertEquals(clusters.size() * 2L, rows, "fanned out once per event");
            } finally {
                unsubscribe("tenant-admin", s.get("id"));
            }
        } finally {
            b.stop(null);
        }
    }

    @Test
    void whileOneReplicaFansOutTheOthersSkip() throws Exception {
        CountDownLatch locked = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        // the hub's own relay may hold the cursor at the moment we try: try again until this test holds it
        CompletableFuture<Integer> holder = CompletableFuture.supplyAsync(() -> {
            for (int attempt = 0; attempt < 200; attempt++) {
                Integer held = db.tx(c -> {
                    int n = Deliveries.fanOut(c, 500, Instant.now());
                    if (n < 0) {
                        return null;
                    }
                    locked.countDown();
                    try {
                        release.await(10, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    return n;
                });
                if (held != null) {
                    return held;
                }
                try {
                    Thread.sleep(20);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return -2;
                }
            }
            return -2;
        });
        try {
            assertTrue(locked.await(10, TimeUnit.SECONDS));
            // skipping means answering while the holder still holds the row (it waits for release, 10 s at most)
            int other = CompletableFuture.supplyAsync(() -> db.tx(c -> Deliveries.fanOut(c, 500, Instant.now())))
                    .get(5, TimeUnit.SECONDS);
            assertEquals(-1, other, "the cursor row is locked: skip, do not wait");
        } finally {
            release.countDown();
        }
        assertTrue(holder.get(10, TimeUnit.SECONDS) >= 0);
    }

    @Test
    void aDeliveryLeftByADeadReplicaIsSentWhenItsLeaseRunsOut() {
        try (TestSubscriber sub = new TestSubscriber()) {
            // subscribed to a type nothing emits here, so only the row written below is delivered
            Map<String, String> s = subscribe("tenant-admin", sub.url("/orphan"), "alert.opened");
            try {
                String cluster = orderCluster("tenant-admin");
                Map<String, Object> event = given().header("Authorization", Tokens.bearer("tenant-user"))
                        .queryParam("after", 0).queryParam("limit", 1000).queryParam("types", "cluster.created")
                        .get("/api/fulfillment/v1/events").then().extract().jsonPath()
                        .param("c", cluster).getMap("items.find { it.subject == c }");
                Instant now = Instant.now();
                db.tx(c -> Db.update(c, "insert into webhook_deliveries (subscription_id, event_seq, event_id, event_type,"
                        + " subject, state, attempts, next_attempt_at, lease_owner, lease_until, created_at)"
                        + " values (?, ?, ?, ?, ?, 'PENDING', 0, ?, 'dead-replica', ?, ?)", s.get("id"),
                        Long.parseLong((String) event.get("cursor")), event.get("id"), event.get("type"), cluster,
                        now.minusSeconds(1), now.plusSeconds(2), now));
                await().pollDelay(Duration.ofMillis(1500)).atMost(Duration.ofSeconds(2)).until(() -> true);
                assertTrue(sub.received().isEmpty(), "sent while another replica held the lease");
                await().atMost(Duration.ofSeconds(5)).until(() -> accepted(sub, cluster).size() == 1);
                assertEquals(event.get("id"), sub.received().get(0).header("webhook-id"));
                await().atMost(Duration.ofSeconds(3)).until(() -> "DELIVERED".equals(deliveryOf(s.get("id"), cluster).get("state")));
                assertEquals(1, deliveries("tenant-admin", s.get("id")).size());
            } finally {
                unsubscribe("tenant-admin", s.get("id"));
            }
        }
    }

    @Test
    void theTargetIsCheckedAgainAtDeliveryTime() {
        try (TestSubscriber sub = new TestSubscriber()) {
            Map<String, String> s = subscribe("tenant-admin", sub.url("/rebind"), "cluster.created");
            try {
                // as if the name now resolved to a private address: deliveries to it are refused
                SettingsAccess.allowPrivateTargets(settings, false);
                String cluster = orderCluster("tenant-admin");
                await().atMost(Duration.ofSeconds(5)).until(() -> deliveryOf(s.get("id"), cluster),
                        d -> d != null && ((Number) d.get("attempts")).intValue() >= 1);
                Map<String, Object> d = deliveryOf(s.get("id"), cluster);
                assertTrue(String.valueOf(d.get("last_error")).contains("target refused"), String.valueOf(d));
                assertTrue(sub.received().isEmpty());
                SettingsAccess.allowPrivateTargets(settings, true);
                await().atMost(Duration.ofSeconds(10)).until(() -> accepted(sub, cluster).size() == 1);
            } finally {
                SettingsAccess.allowPrivateTargets(settings, true);
                unsubscribe("tenant-admin", s.get("id"));
            }
        }
    }
}
