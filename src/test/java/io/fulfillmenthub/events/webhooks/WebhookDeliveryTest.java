package io.fulfillmenthub.events.webhooks;

import static io.fulfillmenthub.events.EventsTesting.SUBSCRIPTIONS;
import static io.fulfillmenthub.events.EventsTesting.deliveries;
import static io.fulfillmenthub.events.EventsTesting.orderCluster;
import static io.fulfillmenthub.events.EventsTesting.scale;
import static io.fulfillmenthub.events.EventsTesting.subscribe;
import static io.fulfillmenthub.events.EventsTesting.unsubscribe;
import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import com.fasterxml.jackson.databind.JsonNode;
import io.fulfillmenthub.events.TestSubscriber;
import io.fulfillmenthub.events.TestSubscriber.Received;
import io.fulfillmenthub.events.TestSubscriber.Reply;
import io.fulfillmenthub.store.Db;
import io.fulfillmenthub.testsupport.Tokens;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

/**
 * Webhooks to a real HTTP subscriber: signed structured CloudEvents, order per cluster, retries, and the endpoint
 * rules of Standard Webhooks (2xx only, no redirects, 410 disables, Retry-After, timeout). The test profile retries
 * after 1 s, 1 s, 2 s and times out after 2 s.
 */
@QuarkusTest
class WebhookDeliveryTest {

    @Inject
    Db db;

    @Test
    void subscriberReceivesASignedStructuredCloudEventForAnOrderedCluster() {
        try (TestSubscriber sub = new TestSubscriber()) {
            Map<String, String> s = subscribe("tenant-admin", sub.url("/hook"), "cluster.created");
            try {
                String cluster = orderCluster("tenant-admin");
                Received r = await().atMost(Duration.ofSeconds(10)).until(() -> about(sub, cluster), x -> !x.isEmpty()).get(0);
                assertEquals("/hook", r.path());
                assertTrue(r.header("content-type").startsWith("application/cloudevents+json"));
                JsonNode ce = r.json();
                assertEquals("1.0", ce.get("specversion").asText());
                assertEquals("io.fulfillmenthub.cluster.created", ce.get("type").asText());
                assertEquals(cluster, ce.get("subject").asText());
                assertEquals("application/json", ce.get("datacontenttype").asText());
                assertEquals(cluster, ce.get("data").get("id").asText());
                assertTrue(ce.hasNonNull("source") && ce.hasNonNull("time"));
                // Standard Webhooks: webhook-id = event id, signature over id.timestamp.body with the secret shown once
                assertEquals(ce.get("id").asText(), r.header("webhook-id"));
                long ts = Long.parseLong(r.header("webhook-timestamp"));
                assertTrue(Math.abs(Instant.now().getEpochSecond() - ts) < 60);
                assertEquals(io.fulfillmenthub.security.signing.StandardWebhooks.sign(s.get("secret"), r.header("webhook-id"), ts,
                        r.body().getBytes(StandardCharsets.UTF_8)), r.header("webhook-signature"));

                await().atMost(Duration.ofSeconds(5)).until(() -> deliveries("tenant-admin", s.get("id")).stream()
                        .anyMatch(d -> ce.get("id").asText().equals(d.get("event_id")) && "DELIVERED".equals(d.get("state"))));
                Map<String, Object> d = deliveries("tenant-admin", s.get("id")).stream()
                        .filter(x -> ce.get("id").asText().equals(x.get("event_id"))).findFirst().orElseThrow();
                assertEquals(1, d.get("attempts"));
                assertEquals(204, ((List<Map<String, Object>>) d.get("attempt_log")).get(0).get("status_code"));
            } finally {
                unsubscribe("tenant-admin", s.get("id"));
            }
        }
    }

    @Test
    void subscriptionSecretIsShownOnceAndOnlyToItsTenant() {
        try (TestSubscriber sub = new TestSubscriber()) {
            Map<String, String> s = subscribe("tenant-admin", sub.url("/once"), "cluster.created", "io.fulfillmenthub.cluster.deleted");
            String id = s.get("id");
            assertTrue(s.get("secret").startsWith("whsec_"));
            given().header("Authorization", Tokens.bearer("tenant-admin")).get(SUBSCRIPTIONS + "/" + id)
                    .then().statusCode(200).body("secret", nullValue()).body("url", equalTo(sub.url("/once")))
                    .body("event_types", equalTo(List.of("cluster.created", "cluster.deleted")))
                    .body("status.state", equalTo("ACTIVE")).body("metadata.tenant", equalTo("demo"));
            given().header("Authorization", Tokens.bearer("tenant-admin")).queryParam("limit", 1000).get(SUBSCRIPTIONS)
                    .then().statusCode(200).body("items.id", hasItem(id)).body("items.secret", not(hasItem(s.get("secret"))));
            String stored = db.read(c -> Db.one(c, "select secret_enc from event_subscriptions where id = ?",
                    rs -> rs.getString(1), id));
            assertFalse(stored.contains(s.get("secret").substring(6)), "the secret is encrypted at rest");
            // another tenant: not found, not listed, cannot delete; a tenant user may not manage subscriptions
            given().header("Authorization", Tokens.bearer("other-tenant-admin")).get(SUBSCRIPTIONS + "/" + id).then().statusCode(404);
            given().header("Authorization", Tokens.bearer("other-tenant-admin")).get(SUBSCRIPTIONS + "/" + id + "/deliveries").then().statusCode(404);
            given().header("Authorization", Tokens.bearer("other-tenant-admin")).queryParam("limit", 1000).get(SUBSCRIPTIONS)
                    .then().statusCode(200).body("items.id", not(hasItem(id)));
            given().header("Authorization", Tokens.bearer("other-tenant-admin")).delete(SUBSCRIPTIONS + "/" + id).then().statusCode(404);
            given().header("Authorization", Tokens.bearer("tenant-user")).get(SUBSCRIPTIONS).then().statusCode(403);
            given().header("Authorization", Tokens.bearer("tenant-admin")).delete(SUBSCRIPTIONS + "/" + id).then().statusCode(204);
            given().header("Authorization", Tokens.bearer("tenant-admin")).get(SUBSCRIPTIONS + "/" + id).then().statusCode(404);
        }
    }

    @Test
    void invalidSubscriptionsAreRefusedAndNothingIsStored() {
        long before = db.read(c -> Db.count(c, "select count(*) from event_subscriptions"));
        String[][] cases = {
                {"{\"url\": \"/relative\", \"event_types\": [\"cluster.created\"]}", "url"},
                {"{\"url\": \"ftp://example.com/x\", \"event_types\": [\"cluster.created\"]}", "url"},
                {"{\"url\": \"https://u:p@example.com/x\", \"event_types\": [\"cluster.created\"]}", "url"},
                {"{\"event_types\": [\"cluster.created\"]}", "url"},
                {"{\"url\": \"http://127.0.0.1:1/x\"}", "event_types"},
                {"{\"url\": \"http://127.0.0.1:1/x\", \"event_types\": []}", "event_types"},
                {"{\"url\": \"http://127.0.0.1:1/x\", \"event_types\": [\"cluster.created\", \"cluster.exploded\"]}", "event_types[1]"},
                {"{\"url\": \"http://127.0.0.1:1/x\", \"event_types\": \"cluster.created\"}", "event_types"},
                {"{\"url\": \"http://127.0.0.1:1/x\", \"event_types\": [\"cluster.created\"], \"secret\": \"mine\"}", "secret"},
        };
        for (String[] c : cases) {
            given().header("Authorization", Tokens.bearer("tenant-admin")).contentType("application/json").body(c[0])
                    .post(SUBSCRIPTIONS).then().statusCode(400).contentType("application/problem+json")
                    .body("field", equalTo(c[1]));
        }
        given().header("Authorization", Tokens.bearer("tenant-admin")).contentType("application/json").body("{not json")
                .post(SUBSCRIPTIONS).then().statusCode(400);
        given().header("Authorization", Tokens.bearer("tenant-admin")).contentType("text/plain").body("x")
                .post(SUBSCRIPTIONS).then().statusCode(415);
        given().contentType("application/json").body("{}").post(SUBSCRIPTIONS).then().statusCode(401);
        given().header("Authorization", Tokens.bearer("tenant-user")).contentType("application/json")
                .body("{\"url\": \"http://127.0.0.1:1/x\", \"event_types\": [\"cluster.created\"]}")
                .post(SUBSCRIPTIONS).then().statusCode(403);
        assertEquals(before, (long) db.read(c -> Db.count(c, "select count(*) from event_subscriptions")));
    }

    @Test
    void subscriberDownThenUpReceivesEveryEventInOrderPerCluster() {
        AtomicBoolean up = new AtomicBoolean(false);
        try (TestSubscriber sub = new TestSubscriber().answer(r -> Reply.status(up.get() ? 200 : 503))) {
            Map<String, String> s = subscribe("tenant-admin", sub.url("/flaky"), "cluster.created", "cluster.scaled");
            try {
                List<String> clusters = new ArrayList<>();
                for (int i = 0; i < 3; i++) {
                    String c = orderCluster("tenant-admin");
                    clusters.add(c);
                    scale("tenant-admin", c, 2);
                    scale("tenant-admin", c, 3);
                }
                await().atMost(Duration.ofSeconds(5)).until(() -> sub.received().size() >= 3); // failures arrive
                assertTrue(sub.received().stream().noneMatch(Received::ok));
                up.set(true);
                await().atMost(Duration.ofSeconds(20)).until(() -> clusters.stream()
                        .allMatch(c -> accepted(sub, c).size() == 3));
                for (String c : clusters) {
                    List<Received> ok = accepted(sub, c);
                    assertEquals(List.of("io.fulfillmenthub.cluster.created", "io.fulfillmenthub.cluster.scaled",
                            "io.fulfillmenthub.cluster.scaled"), ok.stream().map(x -> x.json().get("type").asText()).toList());
                    assertEquals(3, ok.stream().map(x -> x.header("webhook-id")).distinct().count(), "each event once");
                    long previous = 0;
                    for (Received x : ok) {
                        long cursor = Long.parseLong(x.json().get("cursor").asText());
                        assertTrue(cursor > previous, "order per cluster");
                        previous = cursor;
                    }
                    // never a later event of a cluster before an earlier one succeeded: all attempts in cursor order
                    List<Long> attempted = about(sub, c).stream().map(x -> Long.parseLong(x.json().get("cursor").asText())).toList();
                    for (int i = 1; i < attempted.size(); i++) {
                        assertTrue(attempted.get(i) >= attempted.get(i - 1), "out of order attempt for " + c + ": " + attempted);
                    }
                }
                given().header("Authorization", Tokens.bearer("tenant-admin")).get(SUBSCRIPTIONS + "/" + s.get("id"))
                        .then().body("status.state", equalTo("ACTIVE")).body("status.failing_since", nullValue());
            } finally {
                unsubscribe("tenant-admin", s.get("id"));
            }
        }
    }

    @Test
    void redirectsAreNotFollowedAndCountAsFailures() {
        try (TestSubscriber sub = new TestSubscriber()) {
            sub.answer(r -> r.path().equals("/moved") ? new Reply(302, Map.of("Location", sub.url("/elsewhere")), 0)
                    : Reply.status(200));
            Map<String, String> s = subscribe("tenant-admin", sub.url("/moved"), "cluster.created");
            try {
                String c = orderCluster("tenant-admin");
                await().atMost(Duration.ofSeconds(20)).until(() -> deliveryOf(s.get("id"), c), d -> d != null && "FAILED".equals(d.get("state")));
                Map<String, Object> d = deliveryOf(s.get("id"), c);
                assertEquals(4, d.get("attempts"), "first attempt + the 3 retries of the test schedule");
                List<Map<String, Object>> log = (List<Map<String, Object>>) d.get("attempt_log");
                assertEquals(4, log.size());
                log.forEach(a -> assertEquals(302, a.get("status_code")));
                assertTrue(((String) log.get(0).get("error")).contains("not followed"));
                assertTrue(sub.received().stream().noneMatch(r -> r.path().equals("/elsewhere")), "redirect followed");
                assertEquals(null, log.get(3).get("next_retry_at"));
                assertTrue(log.get(0).get("next_retry_at") != null);
            } finally {
                unsubscribe("tenant-admin", s.get("id"));
            }
        }
    }

    @Test
    void goneDisablesTheSubscriptionAndTellsItsOwner() {
        try (TestSubscriber gone = new TestSubscriber().answer(r -> Reply.status(410));
                TestSubscriber owner = new TestSubscriber()) {
            Map<String, String> s = subscribe("tenant-admin", gone.url("/gone"), "cluster.created");
            Map<String, String> watcher = subscribe("tenant-admin", owner.url("/owner"), "subscription.disabled");
            try {
                String c = orderCluster("tenant-admin");
                await().atMost(Duration.ofSeconds(10)).until(() -> about(owner, s.get("id")), x -> !x.isEmpty());
                Received told = about(owner, s.get("id")).get(0);
                assertEquals("io.fulfillmenthub.subscription.disabled", told.json().get("type").asText());
                assertEquals("DISABLED", told.json().get("data").get("status").get("state").asText());
                assertTrue(told.json().get("data").get("status").get("reason").asText().contains("410"));
                assertFalse(told.body().contains("whsec_"), "the secret never travels in events");
                given().header("Authorization", Tokens.bearer("tenant-admin")).get(SUBSCRIPTIONS + "/" + s.get("id"))
                        .then().body("status.state", equalTo("DISABLED")).body("status.disabled_at", not(nullValue()));
                assertEquals(1, gone.received().size(), "410 is not retried");
                assertEquals("FAILED", deliveryOf(s.get("id"), c).get("state"));
                // a disabled subscription gets nothing more
                String later = orderCluster("tenant-admin");
                await().pollDelay(Duration.ofMillis(800)).atMost(Duration.ofSeconds(2)).until(() -> true);
                assertTrue(about(gone, later).isEmpty());
                // and the owner also finds the event in the poll list
                given().header("Authorization", Tokens.bearer("tenant-user")).queryParam("types", "subscription.disabled")
                        .queryParam("limit", 1000).get("/api/fulfillment/v1/events").then().statusCode(200)
                        .body("items.subject", hasItem(s.get("id")));
            } finally {
                unsubscribe("tenant-admin", s.get("id"));
                unsubscribe("tenant-admin", watcher.get("id"));
            }
        }
    }

    @Test
    void retryAfterOn429IsHonoured() {
        AtomicInteger calls = new AtomicInteger();
        try (TestSubscriber sub = new TestSubscriber().answer(r -> calls.incrementAndGet() == 1
                ? new Reply(429, Map.of("Retry-After", "3"), 0) : Reply.status(200))) {
            Map<String, String> s = subscribe("tenant-admin", sub.url("/busy"), "cluster.created");
            try {
                String c = orderCluster("tenant-admin");
                await().atMost(Duration.ofSeconds(15)).until(() -> accepted(sub, c).size() == 1);
                List<Received> all = about(sub, c);
                assertEquals(2, all.size());
                assertEquals(429, all.get(0).answered());
                long gap = all.get(1).atMillis() - all.get(0).atMillis();
                assertTrue(gap >= 2900, "second attempt after " + gap + " ms despite Retry-After: 3 (schedule says 1 s)");
            } finally {
                unsubscribe("tenant-admin", s.get("id"));
            }
        }
    }

    @Test
    void aSlowSubscriberTimesOutAndDoesNotHoldUpOthers() {
        AtomicBoolean slow = new AtomicBoolean(true);
        try (TestSubscriber stuck = new TestSubscriber().answer(r -> new Reply(200, Map.of(), slow.get() ? 10_000 : 0));
                TestSubscriber quick = new TestSubscriber()) {
            Map<String, String> a = subscribe("tenant-admin", stuck.url("/slow"), "cluster.created");
            Map<String, String> b = subscribe("tenant-admin", quick.url("/quick"), "cluster.created");
            try {
                List<String> clusters = new ArrayList<>();
                for (int i = 0; i < 5; i++) {
                    clusters.add(orderCluster("tenant-admin"));
                }
                long t0 = System.currentTimeMillis();
                await().atMost(Duration.ofSeconds(10)).until(() -> clusters.stream().allMatch(c -> accepted(quick, c).size() == 1));
                assertTrue(System.currentTimeMillis() - t0 < 5000, "the quick subscriber waited for the slow one");
                // the slow one's first attempts time out after the (test) 2 s; it is retried and then succeeds
                await().atMost(Duration.ofSeconds(10)).until(() -> deliveryOf(a.get("id"), clusters.get(0)),
                        d -> d != null && ((List<?>) d.get("attempt_log")).size() >= 1);
                Map<String, Object> first = (Map<String, Object>) ((List<?>) deliveryOf(a.get("id"), clusters.get(0))
                        .get("attempt_log")).get(0);
                assertTrue(((String) first.get("error")).contains("timed out"), String.valueOf(first));
                assertTrue(((Number) first.get("duration_ms")).longValue() < 5000);
                slow.set(false);
                await().atMost(Duration.ofSeconds(20)).until(() -> clusters.stream()
                        .allMatch(c -> "DELIVERED".equals(String.valueOf(deliveryOf(a.get("id"), c).get("state")))));
            } finally {
                unsubscribe("tenant-admin", a.get("id"));
                unsubscribe("tenant-admin", b.get("id"));
            }
        }
    }

    @Test
    void aSlowSubscriberWithABacklogDoesNotStarveANewOne() {
        try (TestSubscriber stuck = new TestSubscriber().answer(r -> new Reply(200, Map.of(), 10_000));
                TestSubscriber quick = new TestSubscriber()) {
            Map<String, String> a = subscribe("tenant-admin", stuck.url("/backlog"), "cluster.created");
            Map<String, String> b = null;
            try {
                for (int i = 0; i < 40; i++) {
                    orderCluster("tenant-admin"); // 40 due deliveries for the slow endpoint, older than anything below
                }
                b = subscribe("tenant-admin", quick.url("/fresh"), "cluster.created");
                String c = orderCluster("tenant-admin");
                long t0 = System.currentTimeMillis();
                await().atMost(Duration.ofSeconds(10)).until(() -> accepted(quick, c).size() == 1);
                assertTrue(System.currentTimeMillis() - t0 < 3000, "the new subscriber waited behind the backlog");
            } finally {
                unsubscribe("tenant-admin", a.get("id"));
                if (b != null) {
                    unsubscribe("tenant-admin", b.get("id"));
                }
            }
        }
    }

    @Test
    void anEndpointFailingPastTheLimitIsDisabled() {
        try (TestSubscriber sub = new TestSubscriber().answer(r -> Reply.status(500))) {
            Map<String, String> s = subscribe("tenant-admin", sub.url("/broken"), "cluster.created");
            try {
                // it has been failing for longer than the limit (5 days by default)
                db.tx(c -> Db.update(c, "update event_subscriptions set failing_since = ? where id = ?",
                        Instant.now().minus(Duration.ofDays(6)), s.get("id")));
                orderCluster("tenant-admin");
                await().atMost(Duration.ofSeconds(10)).until(() -> "DISABLED".equals(given()
                        .header("Authorization", Tokens.bearer("tenant-admin")).get(SUBSCRIPTIONS + "/" + s.get("id"))
                        .then().extract().path("status.state")));
                String reason = given().header("Authorization", Tokens.bearer("tenant-admin"))
                        .get(SUBSCRIPTIONS + "/" + s.get("id")).then().extract().path("status.reason");
                assertTrue(reason.contains("failing since"), reason);
                given().header("Authorization", Tokens.bearer("tenant-user")).queryParam("types", "subscription.disabled")
                        .queryParam("limit", 1000).get("/api/fulfillment/v1/events").then()
                        .body("items.subject", hasItem(s.get("id")));
            } finally {
                unsubscribe("tenant-admin", s.get("id"));
            }
        }
    }

    @Test
    void anotherTenantsSubscriptionReceivesNoneOfThem() {
        try (TestSubscriber mine = new TestSubscriber(); TestSubscriber theirs = new TestSubscriber()) {
            Map<String, String> a = subscribe("tenant-admin", mine.url("/demo"), "cluster.created");
            Map<String, String> b = subscribe("other-tenant-admin", theirs.url("/acme"), "cluster.created");
            try {
                Set<String> demo = new HashSet<>();
                for (int i = 0; i < 3; i++) {
                    demo.add(orderCluster("tenant-admin"));
                }
                String acme = orderCluster("other-tenant-admin");
                await().atMost(Duration.ofSeconds(10)).until(() -> demo.stream().allMatch(c -> accepted(mine, c).size() == 1)
                        && accepted(theirs, acme).size() == 1);
                assertTrue(theirs.received().stream().noneMatch(r -> demo.contains(r.json().get("subject").asText())));
                assertTrue(about(mine, acme).isEmpty());
            } finally {
                unsubscribe("tenant-admin", a.get("id"));
                unsubscribe("other-tenant-admin", b.get("id"));
            }
        }
    }

    // ---- helpers ----

    static List<Received> about(TestSubscriber sub, String subject) {
        return sub.received().stream().filter(r -> subject.equals(r.json().get("subject").asText())).toList();
    }

    static List<Received> accepted(TestSubscriber sub, String subject) {
        return about(sub, subject).stream().filter(Received::ok).toList();
    }

    static Map<String, Object> deliveryOf(String subscriptionId, String subject) {
        return deliveries("tenant-admin", subscriptionId).stream().filter(d -> subject.equals(d.get("subject")))
                .findFirst().orElse(null);
    }
}
