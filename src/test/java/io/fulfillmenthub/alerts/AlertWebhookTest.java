package io.fulfillmenthub.alerts;

import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static io.fulfillmenthub.alerts.AlertsTesting.alertmanager;
import static io.fulfillmenthub.alerts.AlertsTesting.awaitAlert;
import static io.fulfillmenthub.alerts.AlertsTesting.fingerprint;
import static io.fulfillmenthub.alerts.AlertsTesting.postAlertmanager;
import static io.fulfillmenthub.alerts.AlertsTesting.postRedfish;
import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.time.Duration;
import java.util.Base64;

import com.github.tomakehurst.wiremock.WireMockServer;
import io.fulfillmenthub.notifications.SinkServers;
import io.fulfillmenthub.store.Db;
import io.fulfillmenthub.testsupport.Tokens;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

/** The two webhooks at the edge: tokens, bad bodies, where the BMC address comes from, unknown hosts. */
@QuarkusTest
@WithTestResource(value = SinkServers.class, scope = TestResourceScope.GLOBAL)
class AlertWebhookTest {

    WireMockServer wiremock;

    @Inject
    Db db;

    long inbox(String keyPart) {
        return db.read(c -> Db.count(c, "select count(*) from alert_inbox where dedupe_key like ?", "%" + keyPart + "%"));
    }

    @Test
    void wrongOrMissingTokensAreRefusedAndNothingIsStored() {
        String fp = fingerprint();
        String body = alertmanager("alertmanager/disk-errors-firing.json", null, fp);
        given().contentType(ContentType.JSON).body(body).post("/webhooks/alertmanager")
                .then().statusCode(401).contentType("application/problem+json").body("status", equalTo(401));
        given().header("Authorization", "Bearer not-the-token").contentType(ContentType.JSON).body(body)
                .post("/webhooks/alertmanager").then().statusCode(401).contentType("application/problem+json");
        // a hub JWT is not the webhook token either
        given().header("Authorization", Tokens.bearer("sre")).contentType(ContentType.JSON).body(body)
                .post("/webhooks/alertmanager").then().statusCode(401);
        // basic auth with the token as password is what Alertmanager's http_config can also send
        String basic = Base64.getEncoder().encodeToString(("am:" + AlertsTesting.alertmanagerToken()).getBytes());
        assertEquals(0, inbox(fp));
        given().header("Authorization", "Basic " + basic).contentType(ContentType.JSON).body(body)
                .post("/webhooks/alertmanager").then().statusCode(202).body("recorded", equalTo(1));
        assertEquals(1, inbox(fp));

        String bay = fingerprint();
        String redfish = AlertsTesting.redfish("redfish/drive-failure.json", bay);
        given().contentType(ContentType.JSON).body(redfish).post("/webhooks/redfish").then().statusCode(401);
        given().header("X-Hub-Token", "wrong").contentType(ContentType.JSON).body(redfish).post("/webhooks/redfish")
                .then().statusCode(401).contentType("application/problem+json");
        // the right token in another header does not count
        given().header("Authorization", "Bearer " + AlertsTesting.redfishToken()).contentType(ContentType.JSON)
                .body(redfish).post("/webhooks/redfish").then().statusCode(401);
        assertEquals(0, inbox(bay));
    }

    @Test
    void malformedPayloadsAre400NamingTheField() {
        postAlertmanager("{not json").then().statusCode(400).contentType("application/problem+json")
                .body("detail", containsString("JSON"));
        postAlertmanager("{\"version\":\"4\",\"status\":\"firing\"}").then().statusCode(400).body("field", equalTo("alerts"));
        postAlertmanager("{\"version\":\"3\",\"alerts\":[]}").then().statusCode(400).body("field", equalTo("version"));
        postAlertmanager("{\"version\":\"4\",\"alerts\":[{\"status\":\"firing\"}]}").then().statusCode(400)
                .body("field", equalTo("alerts[0].labels"));
        postAlertmanager("{\"version\":\"4\",\"alerts\":[{\"status\":\"burning\",\"labels\":{}}]}").then().statusCode(400)
                .body("field", equalTo("alerts[0].status"));
        postRedfish("{\"Events\":[{\"EventId\":\"1\"}]}", "10.0.0.1").then().statusCode(400)
                .body("field", equalTo("Events[0].MessageId"));
        postRedfish("{\"Id\":\"1\"}", "10.0.0.1").then().statusCode(400).body("field", equalTo("Events"));
        postRedfish("[]", "10.0.0.1").then().statusCode(400).contentType("application/problem+json");
    }

    @Test
    void repeatsAreDuplicatesNotNewAlerts() {
        String fp = fingerprint();
        String body = alertmanager("alertmanager/disk-errors-firing.json", null, fp);
        postAlertmanager(body).then().statusCode(202).body("recorded", equalTo(1)).body("duplicates", equalTo(0));
        postAlertmanager(body).then().statusCode(202).body("recorded", equalTo(0)).body("duplicates", equalTo(1));
        assertEquals(1, inbox(fp));
    }

    @Test
    void unknownHostIsRecordedAndTicketedToTheDefaultGroup() {
        String fp = fingerprint();
        postAlertmanager(alertmanager("alertmanager/disk-errors-firing.json", null, fp)).then().statusCode(202);
        String key = "alertmanager:" + fp;
        JsonPath a = awaitAlert(key, j -> "OPEN".equals(j.getString("ticket.state"))
                && "TRIGGERED".equals(j.getString("page.state")));
        assertNull(a.get("host.id"));
        assertEquals("worker-gpu-07.dc1.example.net", a.getString("host.hint"));
        assertEquals("NO_HOST", a.getString("host.action"));
        assertEquals("CRITICAL", a.getString("severity"));
        wiremock.verify(1, postRequestedFor(urlEqualTo("/servicenow/api/now/table/incident"))
                .withRequestBody(containing("\"correlation_id\":\"" + key + "\""))
                .withRequestBody(containing("\"assignment_group\":\"Hardware Triage\"")));
        // the alert view
        given().header("Authorization", Tokens.bearer("server-admin")).get(AlertsTesting.ALERTS + "/" + a.getString("id"))
                .then().statusCode(200).body("dedupe_key", equalTo(key)).body("host.id", nullValue())
                .body("ticket.system", equalTo("servicenow"));
    }

    @Test
    void redfishBmcFromTheContextOrThePeerAddress() {
        String bay = fingerprint();
        String body = AlertsTesting.redfish("redfish/drive-failure.json", bay).replace("\"fulfillment-hub\"", "\"10.99.0.7\"");
        postRedfish(body, null).then().statusCode(202).body("recorded", equalTo(1));
        String bay2 = fingerprint();
        postRedfish(AlertsTesting.redfish("redfish/drive-failure.json", bay2), null).then().statusCode(202);
        await().atMost(Duration.ofSeconds(20)).until(() -> inbox(bay) == 1 && inbox(bay2) == 1);
        assertEquals(1L, inbox("redfish|10.99.0.7|%" + bay));
        assertEquals(1L, inbox("redfish|127.0.0.1|%" + bay2));
    }

    @Test
    void adminViewsNeedTheirRoles() {
        given().get(AlertsTesting.ALERTS).then().statusCode(401);
        given().header("Authorization", Tokens.bearer("tenant-admin")).get(AlertsTesting.ALERTS).then().statusCode(403);
        given().header("Authorization", Tokens.bearer("network-admin")).get(AlertsTesting.ALERTS).then().statusCode(403);
        given().header("Authorization", Tokens.bearer("server-admin")).queryParam("status", "bogus").get(AlertsTesting.ALERTS)
                .then().statusCode(400).body("field", equalTo("status"));
        given().header("Authorization", Tokens.bearer("sre")).get(AlertsTesting.ALERTS + "/al-nope").then().statusCode(404);
        given().header("Authorization", Tokens.bearer("sre")).queryParam("status", "firing").queryParam("severity", "critical")
                .get(AlertsTesting.ALERTS).then().statusCode(200);
    }
}
