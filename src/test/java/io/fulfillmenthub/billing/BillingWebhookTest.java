package io.fulfillmenthub.billing;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import com.fasterxml.jackson.core.type.TypeReference;
import io.fulfillmenthub.billing.signature.StripeSignature;
import io.fulfillmenthub.security.signing.StandardWebhooks;
import io.fulfillmenthub.store.Db;
import io.fulfillmenthub.store.Json;
import io.fulfillmenthub.testsupport.Tokens;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

/** Payment webhooks order, renew and end clusters exactly once; forged or broken deliveries leave nothing. */
@QuarkusTest
class BillingWebhookTest {

    static final Duration WAIT = Duration.ofSeconds(60);

    @Inject
    Db db;

    static Map<String, String> secrets() throws Exception {
        return Json.MAPPER.readValue(Files.readAllBytes(Tokens.dataDir().resolve("secrets.json")), new TypeReference<>() {
        });
    }

    static String stripeEvent(String type, String eventId, Map<String, Object> object) {
        return Json.write(Map.of("id", eventId, "object", "event", "type", type, "created", Instant.now().getEpochSecond(),
                "livemode", false, "api_version", "2024-06-20", "data", Map.of("object", object)));
    }

    static Response postStripe(String body, String secret, long t) {
        return given().header("Stripe-Signature", StripeSignature.header(secret, t, body.getBytes(StandardCharsets.UTF_8)))
                .contentType("application/json; charset=utf-8").body(body.getBytes(StandardCharsets.UTF_8))
                .post("/webhooks/billing/stripe");
    }

    static Response postStandard(String body, String secret, String id, long ts) {
        Map<String, String> h = StandardWebhooks.headers(secret, id, ts, body.getBytes(StandardCharsets.UTF_8));
        return given().headers(h).contentType("application/json").body(body.getBytes(StandardCharsets.UTF_8))
                .post("/webhooks/billing");
    }

    long rows(String sql, Object... args) {
        return db.read(c -> Db.count(c, sql, args));
    }

    String status(String eventId) {
        return db.read(c -> Db.one(c, "select status from billing_events where event_id = ?", rs -> rs.getString(1), eventId));
    }

    static io.restassured.path.json.JsonPath cluster(String id) {
        return given().header("Authorization", Tokens.bearer("sre")).get("/api/admin/v1/clusters/" + id)
                .then().extract().jsonPath();
    }

    @Test
    void checkoutDeliveredTenTimesAtOnceMakesOneClusterThatBecomesReadyRefundEndsIt() throws Exception {
        String secret = secrets().get("stripe_webhook_secret");
        String session = "cs_test_" + UUID.randomUUID().toString().replace("-", "");
        String sub = "sub_" + UUID.randomUUID().toString().replace("-", "").substring(0, 16);
        String pi = "pi_" + UUID.randomUUID().toString().replace("-", "").substring(0, 16);
        String name = "bill" + UUID.randomUUID().toString().substring(0, 6);
        Map<String, Object> checkout = Map.of("id", session, "object", "checkout.session", "mode", "subscription",
                "payment_status", "paid", "status", "complete", "subscription", sub, "payment_intent", pi,
                "customer", "cus_test", "metadata", Map.of("tenant", "demo", "template", "ocp-small", "duration", "P7D",
                        "cluster_name", name, "workers", "2"));
        String evt = "evt_" + UUID.randomUUID().toString().replace("-", "");
        String body = stripeEvent("checkout.session.completed", evt, checkout);
        long t = Instant.now().getEpochSecond();
        ExecutorService pool = Executors.newFixedThreadPool(10);
        List<Future<Integer>> answers = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            answers.add(pool.submit(() -> postStripe(body, secret, t).statusCode()));
        }
        for (Future<Integer> a : answers) {
            assertEquals(200, a.get());
        }
        pool.shutdown();
        assertEquals(1, rows("select count(*) from billing_events where event_id = ?", evt));
        await().atMost(WAIT).until(() -> "APPLIED".equals(status(evt)));
        List<String> ids = db.read(c -> Db.list(c, "select id from clusters where name = ?", rs -> rs.getString(1), name));
        assertEquals(1, ids.size(), "one cluster for ten deliveries");
        String id = ids.get(0);
        await().atMost(WAIT).until(() -> "READY".equals(cluster(id).getString("status.state")));
        assertEquals("billing", cluster(id).getString("status.order.source"));
        assertEquals(session, cluster(id).getString("status.order.reference"));

        // a renewal extends the lease
        Instant before = Instant.parse(cluster(id).getString("status.expires_at"));
        long periodEnd = before.plus(Duration.ofDays(30)).getEpochSecond();
        String renewal = "evt_" + UUID.randomUUID().toString().replace("-", "");
        postStripe(stripeEvent("invoice.paid", renewal, Map.of("id", "in_" + renewal, "object", "invoice",
                "billing_reason", "subscription_cycle", "status", "paid", "subscription", sub, "customer", "cus_test",
                "lines", Map.of("data", List.of(Map.of("period", Map.of("start", t, "end", periodEnd)))))),
                secret, Instant.now().getEpochSecond()).then().statusCode(200);
        await().atMost(WAIT).until(() -> "APPLIED".equals(status(renewal)));
        assertEquals(Instant.ofEpochSecond(periodEnd), Instant.parse(cluster(id).getString("status.expires_at")));

        // the refund ends it
        String refund = "evt_" + UUID.randomUUID().toString().replace("-", "");
        postStripe(stripeEvent("charge.refunded", refund, Map.of("id", "ch_" + refund, "object", "charge",
                "refunded", true, "payment_intent", pi, "customer", "cus_test",
                "metadata", Map.of("tenant", "demo", "cluster_name", name))), secret, Instant.now().getEpochSecond())
                .then().statusCode(200);
        await().atMost(WAIT).until(() -> "DELETED".equals(cluster(id).getString("status.state")));
        given().header("Authorization", Tokens.bearer("provider-admin")).queryParam("limit", 1000)
                .get("/api/admin/v1/billing_events").then().statusCode(200);
        given().header("Authorization", Tokens.bearer("provider-admin")).get("/api/admin/v1/billing_events/" + refund)
                .then().statusCode(200).body("status", equalTo("APPLIED")).body("cluster_id", equalTo(id));
    }

    @Test
    void renewalBeforeItsOrderIsAppliedAfterTheOrder() throws Exception {
        String secret = secrets().get("billing_webhook_secret");
        String order = "ord_" + UUID.randomUUID().toString().substring(0, 8);
        String name = "ooo" + UUID.randomUUID().toString().substring(0, 6);
        String renewedId = "msg_" + UUID.randomUUID();
        String clusterId = UUID.randomUUID().toString();
        long now = Instant.now().getEpochSecond();
        postStandard(Json.write(Map.of("type", "order.renewed", "timestamp", Instant.now().toString(),
                "data", Map.of("order_id", order, "tenant", "demo", "cluster_id", clusterId, "duration", "P30D"))),
                secret, renewedId, now).then().statusCode(200);
        await().atMost(WAIT).until(() -> "PENDING".equals(status(renewedId)));
        String paidId = "msg_" + UUID.randomUUID();
        postStandard(Json.write(Map.of("type", "order.paid", "timestamp", Instant.now().toString(),
                "data", Map.of("order_id", order, "tenant", "demo", "template", "ocp-small", "duration", "P1D",
                        "cluster_name", name, "cluster_id", clusterId, "node_sets", Map.of("workers", Map.of("size", 1))))),
                secret, paidId, now).then().statusCode(200);
        await().atMost(WAIT).until(() -> "APPLIED".equals(status(paidId)) && "APPLIED".equals(status(renewedId)));
        Instant expires = Instant.parse(cluster(clusterId).getString("status.expires_at"));
        Instant created = Instant.parse(cluster(clusterId).getString("metadata.creation_timestamp"));
        assertTrue(Duration.between(created, expires).toDays() >= 30, "the early renewal extended the 1-day lease");
    }

    @Test
    void refusedDeliveriesLeaveNothingBehind() throws Exception {
        String secret = secrets().get("billing_webhook_secret");
        String stripeSecret = secrets().get("stripe_webhook_secret");
        String body = Json.write(Map.of("type", "order.paid", "timestamp", Instant.now().toString(), "data",
                Map.of("order_id", "ord_x", "tenant", "demo", "template", "ocp-small")));
        long before = rows("select count(*) from billing_events");
        long now = Instant.now().getEpochSecond();
        // missing, malformed, wrong signature; stale and future timestamps; tampered body
        given().contentType("application/json").body(body).post("/webhooks/billing").then().statusCode(401)
                .contentType("application/problem+json");
        given().header("webhook-id", "msg_1").header("webhook-timestamp", now).header("webhook-signature", "v1,AAAA")
                .contentType("application/json").body(body).post("/webhooks/billing").then().statusCode(401)
                .contentType("application/problem+json");
        postStandard(body, StandardWebhooks.generateSecret(), "msg_2", now).then().statusCode(401);
        postStandard(body, secret, "msg_3", now - 600).then().statusCode(401);
        postStandard(body, secret, "msg_4", now + 600).then().statusCode(401);
        Map<String, String> h = StandardWebhooks.headers(secret, "msg_5", now, body.getBytes(StandardCharsets.UTF_8));
        given().headers(h).contentType("application/json").body(body.replace("ocp-small", "ocp-large"))
                .post("/webhooks/billing").then().statusCode(401);
        // malformed JSON with a valid signature
        postStandard("{\"type\": \"order.paid\", ", secret, "msg_6", now).then().statusCode(400)
                .contentType("application/problem+json");
        // Stripe: no signature, v0 only, stale
        given().contentType("application/json").body(body).post("/webhooks/billing/stripe").then().statusCode(401);
        given().header("Stripe-Signature", "t=" + now + ",v0=abc").contentType("application/json").body(body)
                .post("/webhooks/billing/stripe").then().statusCode(401);
        postStripe(stripeEvent("checkout.session.completed", "evt_stale", Map.of("id", "cs_1")), stripeSecret, now - 301)
                .then().statusCode(401);
        // oversize
        String big = "{\"pad\":\"" + "x".repeat(1_100_000) + "\"}";
        postStandard(big, secret, "msg_7", now).then().statusCode(413);
        // signed and readable, but longer than the inbox records: the sender's error, not the hub's
        postStandard(body, secret, "msg_" + "8".repeat(300), now).then().statusCode(400)
                .contentType("application/problem+json").body("detail", containsString("event id"));
        postStandard(body.replace("\"demo\"", "\"" + "t".repeat(101) + "\""), secret, "msg_9", now).then().statusCode(400)
                .body("detail", containsString("tenant"));
        assertEquals(before, rows("select count(*) from billing_events"), "refused deliveries stored nothing");
    }

    @Test
    void deliveriesArrivingTogetherAreEachRecordedOnceAndAnsweredForThemselves() throws Exception {
        String secret = secrets().get("billing_webhook_secret");
        String run = UUID.randomUUID().toString().substring(0, 8);
        long now = Instant.now().getEpochSecond();
        // 20 events, each sent twice, 40 requests at once: recorded together, one answer "new" per event
        ExecutorService pool = Executors.newFixedThreadPool(40);
        List<Future<Response>> answers = new ArrayList<>();
        for (int copy = 0; copy < 2; copy++) {
            for (int i = 0; i < 20; i++) {
                String id = "msg_" + run + "_" + i;
                String body = Json.write(Map.of("type", "invoice.voided", "timestamp", Instant.now().toString(),
                        "data", Map.of("n", i)));
                answers.add(pool.submit(() -> postStandard(body, secret, id, now)));
            }
        }
        Map<String, List<Boolean>> byId = new java.util.TreeMap<>();
        for (Future<Response> a : answers) {
            Response r = a.get();
            assertEquals(200, r.statusCode(), r.asString());
            byId.computeIfAbsent(r.jsonPath().getString("event_id"), k -> new ArrayList<>())
                    .add(r.jsonPath().getBoolean("duplicate"));
        }
        pool.shutdown();
        assertEquals(20, byId.size());
        byId.forEach((id, dups) -> assertEquals(List.of(false, true), dups.stream().sorted().toList(),
                id + ": one first delivery, one duplicate"));
        assertEquals(20, rows("select count(*) from billing_events where event_id like ?", "msg_" + run + "_%"));
        assertEquals(20, rows("select count(*) from billing_events e where e.event_id like ? and (e.status <> 'RECEIVED'"
                + " or exists (select 1 from work_items w where w.kind = 'billing' and w.item_key = cast(e.id as varchar)))",
                "msg_" + run + "_%"), "each recorded with its work item (or already applied)");
        for (int i = 0; i < 20; i++) {
            String id = "msg_" + run + "_" + i;
            await().atMost(WAIT).until(() -> "IGNORED".equals(status(id)));
        }
    }

    @Test
    void replayedAndUnknownEventsAnswer2xxAndAreRecordedOnce() throws Exception {
        String secret = secrets().get("billing_webhook_secret");
        String id = "msg_" + UUID.randomUUID();
        String body = Json.write(Map.of("type", "invoice.voided", "timestamp", Instant.now().toString(), "data", Map.of()));
        long now = Instant.now().getEpochSecond();
        postStandard(body, secret, id, now).then().statusCode(200).body("duplicate", equalTo(false));
        postStandard(body, secret, id, now).then().statusCode(200).body("duplicate", equalTo(true));
        assertEquals(1, rows("select count(*) from billing_events where event_id = ?", id));
        await().atMost(WAIT).until(() -> "IGNORED".equals(status(id)));
    }

    @Test
    void unknownTemplateIsRejectedVisiblyNever5xx() throws Exception {
        String secret = secrets().get("billing_webhook_secret");
        String id = "msg_" + UUID.randomUUID();
        postStandard(Json.write(Map.of("type", "order.paid", "timestamp", Instant.now().toString(), "data",
                Map.of("order_id", "ord_" + id, "tenant", "demo", "template", "ocp-4-17-small", "cluster_name", "x1"))),
                secret, id, Instant.now().getEpochSecond()).then().statusCode(200);
        await().atMost(WAIT).until(() -> "REJECTED".equals(status(id)));
        given().header("Authorization", Tokens.bearer("sre")).queryParam("status", "REJECTED").queryParam("limit", 1000)
                .get("/api/admin/v1/billing_events").then().statusCode(200)
                .body("items.find { it.event_id == '" + id + "' }.reason", org.hamcrest.Matchers.containsString("ocp-4-17-small"));
        assertEquals(1, rows("select count(*) from events where type = 'io.fulfillmenthub.billing.rejected' and subject = ?", id));
        given().header("Authorization", Tokens.bearer("tenant-admin")).get("/api/admin/v1/billing_events").then().statusCode(403);
    }

    @Test
    void publishedStandardWebhooksVectorVerifies() throws Exception {
        String vector = Files.readString(io.fulfillmenthub.testsupport.Samples.file("standard-webhooks/test-vector.txt"));
        assertTrue(vector.contains("g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="));
        assertEquals("v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=", StandardWebhooks.sign(
                "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330,
                "{\"test\": 2432232314}".getBytes(StandardCharsets.UTF_8)));
    }
}
