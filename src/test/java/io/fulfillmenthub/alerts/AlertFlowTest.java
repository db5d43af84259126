package io.fulfillmenthub.alerts;

import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.patchRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static io.fulfillmenthub.alerts.AlertsTesting.alertmanager;
import static io.fulfillmenthub.alerts.AlertsTesting.awaitAlert;
import static io.fulfillmenthub.alerts.AlertsTesting.fingerprint;
import static io.fulfillmenthub.alerts.AlertsTesting.hosts;
import static io.fulfillmenthub.alerts.AlertsTesting.postAlertmanager;
import static io.fulfillmenthub.alerts.AlertsTesting.postRedfish;
import static io.fulfillmenthub.alerts.AlertsTesting.status;
import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import io.fulfillmenthub.notifications.SinkServers;
import io.fulfillmenthub.store.Db;
import io.fulfillmenthub.testsupport.SmtpServer;
import io.fulfillmenthub.testsupport.Tokens;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

/**
 * The "done when": a disk-error alert delivered three times at once yields one ticket and one page, takes the
 * host out while its cluster keeps its size, and its resolution resolves both; the same for a Redfish drive failure.
 */
@QuarkusTest
@WithTestResource(value = SinkServers.class, scope = TestResourceScope.GLOBAL)
class AlertFlowTest {

    static final String INCIDENTS = "/servicenow/api/now/table/incident";

    WireMockServer wiremock;
    SmtpServer smtp;

    @Inject
    Db db;

    @Test
    void diskErrorsThreeTimesAtOnceThenResolved() throws Exception {
        String contact = "owner-" + UUID.randomUUID().toString().substring(0, 8) + "@example.test";
        JsonPath cluster = AlertsTesting.readyCluster(2, contact);
        String clusterId = cluster.getString("id");
        List<Map<String, Object>> members = hosts(Map.of("cluster", clusterId));
        assertEquals(2, members.size());
        Map<String, Object> victim = members.get(0);
        String hostId = victim.get("id").toString();
        String hostname = status(victim, "hostname");

        String fp = fingerprint();
        String key = "alertmanager:" + fp;
        String firing = alertmanager("alertmanager/disk-errors-firing.json", hostname + ":9100", fp);

        // three Alertmanager replicas deliver the same group at the same moment
        ExecutorService pool = Executors.newFixedThreadPool(3);
        CountDownLatch go = new CountDownLatch(1);
        List<Future<Integer>> calls = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            calls.add(pool.submit((Callable<Integer>) () -> {
                go.await();
                return postAlertmanager(firing).then().extract().statusCode();
            }));
        }
        go.countDown();
        for (Future<Integer> f : calls) {
            assertEquals(202, f.get());
        }
        pool.shutdown();
        assertEquals(1L, (long) db.read(c -> Db.count(c, "select count(*) from alert_inbox where dedupe_key = ?", key)));

        JsonPath alert = awaitAlert(key, a -> "OPEN".equals(a.getString("ticket.state"))
                && "TRIGGERED".equals(a.getString("page.state")) && "MAINTENANCE".equals(a.getString("host.action")));
        String alertId = alert.getString("id");
        assertEquals(hostId, alert.getString("host.id"));
        assertEquals(clusterId, alert.getString("cluster_id"));
        assertEquals("demo", alert.getString("tenant"));
        assertEquals("FIRING", alert.getString("status"));
        assertEquals(1, alert.getInt("episode"));
        String replacement = alert.getString("host.replaced_by");
        assertNotNull(replacement, "the host served a cluster: a spare replaced it");

        // exactly one ticket and one page, in the systems' real formats
        List<LoggedRequest> tickets = wiremock.findAll(postRequestedFor(urlEqualTo(INCIDENTS))
                .withRequestBody(matchingJsonPath("$.correlation_id", equalTo(key))));
        assertEquals(1, tickets.size());
        LoggedRequest ticket = tickets.get(0);
        assertEquals("Basic " + Base64.getEncoder().encodeToString((SinkServers.SN_USER + ":" + SinkServers.SN_PASSWORD).getBytes()),
                ticket.getHeader("Authorization"));
        String body = ticket.getBodyAsString();
        assertTrue(body.contains("\"urgency\":\"1\"") && body.contains("\"impact\":\"1\""), body);
        assertTrue(body.contains("\"cmdb_ci\":\"" + hostId + "\""), body);
        assertTrue(body.contains("\"assignment_group\":\"Datacenter Operations\""), body);
        assertFalse(ticket.containsHeader("X-Hub-Token") || ticket.containsHeader("CamelHttpUri")
                || ticket.containsHeader("breadcrumbId"), "dispatch headers must not leave the hub: " + ticket.getHeaders());
        List<LoggedRequest> pages = wiremock.findAll(postRequestedFor(urlEqualTo("/pagerduty/v2/enqueue"))
                .withRequestBody(matchingJsonPath("$.dedup_key", equalTo(key))));
        assertEquals(1, pages.size());
        String page = pages.get(0).getBodyAsString();
        assertTrue(page.contains("\"routing_key\":\"" + SinkServers.ROUTING_KEY + "\"") && page.contains("\"event_action\":\"trigger\"")
                && page.contains("\"severity\":\"critical\""), page);

        // the host is out, the cluster keeps its size with the spare
        given().header("Authorization", Tokens.bearer("server-admin")).get(AlertsTesting.HOSTS + "/" + hostId)
                .then().statusCode(200).body("status.state", org.hamcrest.Matchers.equalTo("MAINTENANCE"))
                .body("status.open_alerts", org.hamcrest.Matchers.equalTo(1));
        await().atMost(AlertsTesting.WAIT).until(() -> {
            List<Map<String, Object>> now = hosts(Map.of("cluster", clusterId));
            return now.size() == 2 && now.stream().noneMatch(h -> hostId.equals(h.get("id")))
                    && now.stream().anyMatch(h -> replacement.equals(h.get("id")));
        });
        assertEquals(2, given().header("Authorization", Tokens.bearer("tenant-admin")).get(AlertsTesting.CLUSTERS + "/" + clusterId)
                .then().extract().jsonPath().getInt("spec.node_sets.workers.size"));

        // events: alert.opened for the tenant, host.offline from the inventory
        assertEquals(1L, (long) db.read(c -> Db.count(c, "select count(*) from events where type = ? and subject = ? and tenant = ?",
                "io.fulfillmenthub.alert.opened", alertId, "demo")));
        assertTrue(db.read(c -> Db.count(c, "select count(*) from events where type = ? and subject = ?",
                "io.fulfillmenthub.host.offline", hostId)) >= 1);
        // the tenant is told by mail
        await().atMost(AlertsTesting.WAIT).until(() -> smtp.messages().stream()
                .anyMatch(m -> m.deliveredTo().contains(contact) && m.subject().startsWith("Hardware maintenance")));

        // the same group again later (Alertmanager's repeat interval): no new ticket, no new page
        postAlertmanager(firing).then().statusCode(202);

        // resolution: ticket and page resolved with the same references
        String resolved = alertmanager("alertmanager/disk-errors-resolved.json", hostname + ":9100", fp);
        postAlertmanager(resolved).then().statusCode(202);
        JsonPath done = awaitAlert(key, a -> "RESOLVED".equals(a.getString("ticket.state"))
                && "RESOLVED".equals(a.getString("page.state")));
        assertEquals("RESOLVED", done.getString("status"));
        assertEquals("2026-11-26T11:02:10.456Z", done.getString("ends_at"));
        String sysId = done.getString("ticket.ref");
        wiremock.verify(1, patchRequestedFor(urlEqualTo(INCIDENTS + "/" + sysId))
                .withRequestBody(matchingJsonPath("$.state", equalTo("6")))
                .withRequestBody(matchingJsonPath("$.close_code"))
                .withRequestBody(matchingJsonPath("$.close_notes", containing(alertId))));
        wiremock.verify(1, postRequestedFor(urlEqualTo("/pagerduty/v2/enqueue"))
                .withRequestBody(matchingJsonPath("$.dedup_key", equalTo(key)))
                .withRequestBody(matchingJsonPath("$.event_action", equalTo("resolve"))));
        assertEquals(1, wiremock.findAll(postRequestedFor(urlEqualTo(INCIDENTS))
                .withRequestBody(matchingJsonPath("$.correlation_id", equalTo(key)))).size());
        assertEquals(1L, (long) db.read(c -> Db.count(c, "select count(*) from events where type = ? and subject = ?",
                "io.fulfillmenthub.alert.resolved", alertId)));
        // the host stays out until a server admin returns it
        given().header("Authorization", Tokens.bearer("sre")).get(AlertsTesting.HOSTS + "/" + hostId)
                .then().body("status.state", org.hamcrest.Matchers.equalTo("MAINTENANCE"))
                .body("status.open_alerts", org.hamcrest.Matchers.equalTo(0));
        AlertsTesting.deleteCluster(clusterId);
    }

    @Test
    void redfishDriveFailureThenDriveOk() {
        // the last free host: reservations take the first ones
        List<Map<String, Object>> free = hosts(Map.of("state", "AVAILABLE", "host_class", "cpu-standard"));
        Map<String, Object> spare = free.get(free.size() - 1);
        String hostId = spare.get("id").toString();
        String bmcUrl = status(spare, "bmc_address"); // redfish-virtualmedia://10.10.x.y/redfish/v1/Systems/1
        String bmc = bmcUrl.replaceFirst("^[a-z+-]+://", "").replaceFirst("[:/].*$", "");
        String bay = fingerprint();

        postRedfish(AlertsTesting.redfish("redfish/drive-failure.json", bay), bmc).then().statusCode(202);
        String key = "redfish|" + bmc + "|/redfish/v1/Systems/System.Embedded.1/Storage/RAID.SL.3-1/Drives/Disk.Bay." + bay
                + "|DriveFailure";
        JsonPath a = awaitAlert(key, j -> "OPEN".equals(j.getString("ticket.state"))
                && "TRIGGERED".equals(j.getString("page.state")) && j.getString("host.action") != null);
        assertEquals(hostId, a.getString("host.id"));
        assertEquals("MAINTENANCE", a.getString("host.action"));
        assertEquals(bmc, a.getString("host.bmc_address"));
        assertEquals("DriveFailure", a.getString("condition"));
        assertEquals("2026-11-26T16:14:02Z", a.getString("starts_at"));

        // DriveOK (plain-string OriginOfCondition, no deprecated fields) clears it
        postRedfish(AlertsTesting.redfish("redfish/drive-ok.json", bay), bmc).then().statusCode(202)
                .body("recorded", org.hamcrest.Matchers.equalTo(2)); // DriveFailure and DrivePredictiveFailure families
        JsonPath done = awaitAlert(key, j -> "RESOLVED".equals(j.getString("ticket.state"))
                && "RESOLVED".equals(j.getString("page.state")));
        assertEquals("RESOLVED", done.getString("status"));
        wiremock.verify(1, patchRequestedFor(urlEqualTo(INCIDENTS + "/" + done.getString("ticket.ref"))));
        // clearing a family that never fired opened nothing
        assertTrue(AlertsTesting.alerts(Map.of("host", hostId)).stream()
                .noneMatch(x -> String.valueOf(x.get("dedupe_key")).endsWith("|DrivePredictiveFailure")));
        assertNotEquals(0, wiremock.findAll(postRequestedFor(urlEqualTo("/pagerduty/v2/enqueue"))
                .withRequestBody(matchingJsonPath("$.dedup_key", equalTo(key)))).size());
    }

    @Test
    void warningOnlyTicketsAndInfoOnlyRecords() {
        String fp = fingerprint();
        String key = "alertmanager:" + fp;
        postAlertmanager(alertmanager("alertmanager/disk-errors-firing.json", null, fp)
                .replace("\"critical\"", "\"warning\"")).then().statusCode(202);
        JsonPath a = awaitAlert(key, j -> "OPEN".equals(j.getString("ticket.state")));
        assertEquals("WARNING", a.getString("severity"));
        assertEquals(null, a.getString("page.state"));
        assertEquals(null, a.getString("host.action"));
        await().pollDelay(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(5)).until(() -> true);
        assertEquals(0, wiremock.findAll(postRequestedFor(urlEqualTo("/pagerduty/v2/enqueue"))
                .withRequestBody(matchingJsonPath("$.dedup_key", equalTo(key)))).size());
        wiremock.verify(1, postRequestedFor(urlEqualTo(INCIDENTS)).withRequestBody(matchingJsonPath("$.correlation_id", equalTo(key)))
                .withRequestBody(matchingJsonPath("$.urgency", equalTo("2"))));

        String fp2 = fingerprint();
        postAlertmanager(alertmanager("alertmanager/disk-errors-firing.json", null, fp2)
                .replace("\"critical\"", "\"info\"")).then().statusCode(202);
        JsonPath info = awaitAlert("alertmanager:" + fp2, j -> "FIRING".equals(j.getString("status")));
        assertEquals("INFO", info.getString("severity"));
        assertEquals(null, info.getString("ticket.state"));
    }
}
