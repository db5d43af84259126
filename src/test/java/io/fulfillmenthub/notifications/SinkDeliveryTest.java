package io.fulfillmenthub.notifications;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.UUID;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.stubbing.StubMapping;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import io.fulfillmenthub.alerts.AlertsTesting;
import io.fulfillmenthub.store.Db;
import io.fulfillmenthub.testsupport.Tokens;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

/** Sink outages, refusals and rate limits: retried with backoff, dead-lettered visibly, queued rather than dropped. */
@QuarkusTest
@WithTestResource(value = SinkServers.class, scope = TestResourceScope.GLOBAL)
class SinkDeliveryTest {

    static final String DEAD_LETTERS = "/api/admin/v1/dead_letters";

    WireMockServer wiremock;

    @Inject
    Db db;

    long enqueue(String key, String sink, String action, Object payload) {
        db.tx(c -> SinkJobs.enqueue(c, key, sink, action, null, null, payload));
        return db.read(c -> Db.one(c, "select id from sink_jobs where job_key = ?", rs -> rs.getLong(1), key));
    }

    String state(long id) {
        return db.read(c -> Db.one(c, "select job_state from sink_jobs where id = ?", rs -> rs.getString(1), id));
    }

    int attempts(long id) {
        return db.read(c -> Db.one(c, "select attempts from sink_jobs where id = ?", rs -> rs.getInt(1), id));
    }

    @Test
    void ticketingOutageIsRetriedThenDeadLetteredThenReplayed() {
        String fp = AlertsTesting.fingerprint();
        String key = "alertmanager:" + fp;
        StubMapping down = wiremock.stubFor(post(urlEqualTo("/servicenow/api/now/table/incident")).atPriority(1)
                .withRequestBody(matchingJsonPath("$.correlation_id", equalTo(key)))
                .willReturn(aResponse().withStatus(503).withBody("{\"error\":{\"message\":\"maintenance\"}}")));
        AlertsTesting.postAlertmanager(AlertsTesting.alertmanager("alertmanager/disk-errors-firing.json", null, fp)
                .replace("\"critical\"", "\"warning\"")).then().statusCode(202);

        JsonPath alert = AlertsTesting.awaitAlert(key, a -> "FAILED".equals(a.getString("ticket.state")));
        // the first attempt and the two retries of the test schedule (200ms, 400ms), then the dead letter
        assertEquals(3, wiremock.findAll(postRequestedFor(urlEqualTo("/servicenow/api/now/table/incident"))
                .withRequestBody(matchingJsonPath("$.correlation_id", equalTo(key)))).size());
        List<Map<String, Object>> dead = given().header("Authorization", Tokens.bearer("sre")).queryParam("sink", "servicenow")
                .queryParam("limit", 1000).get(DEAD_LETTERS).then().statusCode(200).extract().path("items");
        Map<String, Object> letter = dead.stream().filter(d -> alert.getString("id").equals(d.get("alert_id"))).findFirst()
                .orElseThrow(() -> new AssertionError("no dead letter for " + alert.getString("id") + ": " + dead));
        assertEquals("ticket.open", letter.get("action"));
        assertEquals(3, letter.get("attempts"));
        assertTrue(letter.get("last_error").toString().startsWith("HTTP 503"), letter.toString());
        String metrics = given().get("/q/metrics").then().statusCode(200).extract().asString();
        assertTrue(metrics.contains("hub_sink_dead_letters"), "dead-letter gauge");
        assertTrue(metrics.lines().anyMatch(l -> l.startsWith("hub_sink_deliveries_total") && l.contains("outcome=\"dead\"")
                && l.contains("sink=\"servicenow\"")), "dead-letter counter");

        // the outage ends; an SRE replays the dead letter and the ticket opens
        wiremock.removeStub(down);
        given().header("Authorization", Tokens.bearer("tenant-admin")).post(DEAD_LETTERS + "/" + letter.get("id") + "/retry")
                .then().statusCode(403);
        given().header("Authorization", Tokens.bearer("sre")).post(DEAD_LETTERS + "/" + letter.get("id") + "/retry")
                .then().statusCode(202);
        given().header("Authorization", Tokens.bearer("sre")).post(DEAD_LETTERS + "/" + letter.get("id") + "/retry")
                .then().statusCode(409);
        JsonPath open = AlertsTesting.awaitAlert(key, a -> "OPEN".equals(a.getString("ticket.state")));
        assertTrue(open.getString("ticket.number").startsWith("INC"));
        given().header("Authorization", Tokens.bearer("sre")).post(DEAD_LETTERS + "/999999999/retry").then().statusCode(404);
    }

    @Test
    void pagerDuty400IsDeadAtOnceWithoutRetries() {
        String fp = AlertsTesting.fingerprint();
        String key = "alertmanager:" + fp;
        wiremock.stubFor(post(urlEqualTo("/pagerduty/v2/enqueue")).atPriority(1)
                .withRequestBody(matchingJsonPath("$.dedup_key", equalTo(key)))
                .willReturn(aResponse().withStatus(400).withHeader("Content-Type", "application/json")
                        .withBody("{\"status\":\"invalid event\",\"message\":\"Event object is invalid\",\"errors\":[\"bad\"]}")));
        AlertsTesting.postAlertmanager(AlertsTesting.alertmanager("alertmanager/disk-errors-firing.json", null, fp))
                .then().statusCode(202);
        JsonPath a = AlertsTesting.awaitAlert(key, j -> "FAILED".equals(j.getString("page.state")));
        assertEquals(1, wiremock.findAll(postRequestedFor(urlEqualTo("/pagerduty/v2/enqueue"))
                .withRequestBody(matchingJsonPath("$.dedup_key", equalTo(key)))).size());
        long dead = db.read(c -> Db.count(c, "select count(*) from sink_jobs where alert_id = ? and job_action = 'page.trigger'"
                + " and job_state = 'DEAD' and attempts = 1", a.getString("id")));
        assertEquals(1L, dead);
        // the ticket does not depend on the page
        AlertsTesting.awaitAlert(key, j -> "OPEN".equals(j.getString("ticket.state")));
    }

    @Test
    void slackRefusalIsDeadAtOnceAnd429IsRetriedAfterRetryAfter() {
        String refused = "refused-" + UUID.randomUUID();
        wiremock.stubFor(post(urlEqualTo(SinkServers.SLACK_PATH)).atPriority(1).withRequestBody(containing(refused))
                .willReturn(aResponse().withStatus(400).withBody("invalid_payload")));
        long r = enqueue("test:" + refused, SinkSettings.SLACK, MessageActions.CHAT, Map.of("text", refused));
        await().atMost(AlertsTesting.WAIT).until(() -> "DEAD".equals(state(r)));
        assertEquals(1, attempts(r));
        String error = db.read(c -> Db.one(c, "select last_error from sink_jobs where id = ?", rs -> rs.getString(1), r));
        assertTrue(error.startsWith("HTTP 400"), error);
        assertFalse(error.contains("s3cr3tw3bh00k"), "the webhook URL is a secret: " + error);

        String limited = "limited-" + UUID.randomUUID();
        StubMapping busy = wiremock.stubFor(post(urlEqualTo(SinkServers.SLACK_PATH)).atPriority(1).withRequestBody(containing(limited))
                .willReturn(aResponse().withStatus(429).withHeader("Retry-After", "2").withBody("rate_limited")));
        long l = enqueue("test:" + limited, SinkSettings.SLACK, MessageActions.CHAT, Map.of("text", limited));
        await().atMost(AlertsTesting.WAIT).until(() -> attempts(l) == 1);
        long firstAt = System.currentTimeMillis();
        wiremock.removeStub(busy);
        await().atMost(AlertsTesting.WAIT).until(() -> "DONE".equals(state(l)));
        assertTrue(System.currentTimeMillis() - firstAt >= 1000, "Retry-After was honoured");
    }

    @Test
    void slackRateLimitQueuesInsteadOfDropping() {
        String batch = "burst-" + UUID.randomUUID();
        long[] ids = new long[4];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = enqueue("test:" + batch + ":" + i, SinkSettings.SLACK, MessageActions.CHAT, Map.of("text", batch + " #" + i));
        }
        await().atMost(AlertsTesting.WAIT).until(() -> {
            for (long id : ids) {
                if (!"DONE".equals(state(id))) {
                    return false;
                }
            }
            return true;
        });
        List<LoggedRequest> sent = wiremock.findAll(postRequestedFor(urlEqualTo(SinkServers.SLACK_PATH))
                .withRequestBody(containing(batch)));
        assertEquals(4, sent.size(), "none dropped");
        long first = sent.stream().mapToLong(s -> s.getLoggedDate().getTime()).min().orElseThrow();
        long last = sent.stream().mapToLong(s -> s.getLoggedDate().getTime()).max().orElseThrow();
        // at most one message per one-second window: four messages span at least three windows
        assertTrue(last - first >= 2000, "sent within " + (last - first) + " ms");
    }

    @Test
    void deadLetterViewNeedsItsRoles() {
        given().get(DEAD_LETTERS).then().statusCode(401);
        given().header("Authorization", Tokens.bearer("tenant-admin")).get(DEAD_LETTERS).then().statusCode(403);
        given().header("Authorization", Tokens.bearer("server-admin")).queryParam("sink", "fax").get(DEAD_LETTERS)
                .then().statusCode(400).body("field", org.hamcrest.Matchers.equalTo("sink"));
        given().header("Authorization", Tokens.bearer("server-admin")).get(DEAD_LETTERS).then().statusCode(200);
    }
}
