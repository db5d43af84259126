package io.fulfillmenthub.notifications;

import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import io.fulfillmenthub.alerts.AlertsTesting;
import io.fulfillmenthub.events.Outbox;
import io.fulfillmenthub.store.Db;
import io.fulfillmenthub.testsupport.SmtpServer;
import io.fulfillmenthub.testsupport.Tokens;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

/** The outbox-driven notifications: purchaser mail on READY and before expiry, ops chat on a failed provisioning. */
@QuarkusTest
@WithTestResource(value = SinkServers.class, scope = TestResourceScope.GLOBAL)
class NotificationsTest {

    WireMockServer wiremock;
    SmtpServer smtp;

    @Inject
    Db db;
    @Inject
    NotificationFeed feed;

    SmtpServer.ReceivedMail awaitMail(String to, String subjectStart) {
        SmtpServer.ReceivedMail[] found = new SmtpServer.ReceivedMail[1];
        await().atMost(AlertsTesting.WAIT).pollInterval(Duration.ofMillis(300)).until(() -> {
            for (SmtpServer.ReceivedMail m : smtp.messages()) {
                if (m.deliveredTo().contains(to) && m.subject().startsWith(subjectStart)) {
                    found[0] = m;
                    return true;
                }
            }
            return false;
        });
        return found[0];
    }

    @Test
    void purchaserIsMailedWhenTheClusterIsReadyWithItsConsoleUrl() {
        String contact = "buyer-" + UUID.randomUUID().toString().substring(0, 8) + "@example.test";
        JsonPath k = AlertsTesting.readyCluster(1, contact);
        String console = k.getString("status.console_url");
        SmtpServer.ReceivedMail m = awaitMail(contact, "Your OpenShift cluster " + k.getString("metadata.name") + " is ready");
        assertTrue(m.textBody().contains(console), m.raw());
        assertTrue(m.htmlBody().contains("href=\"" + console + "\""), m.raw());
        assertEquals(List.of("hub@fulfillment.test"), m.from());
        AlertsTesting.deleteCluster(k.getString("id"));
    }

    @Test
    void purchaserIsMailedBeforeTheLeaseEnds() {
        // a PT1M lease is inside the expiry notice lead (24 h) at once: cluster.expiring follows the order
        String contact = "lease-" + UUID.randomUUID().toString().substring(0, 8) + "@example.test";
        String name = "n" + UUID.randomUUID().toString().substring(0, 8);
        String id = given().header("Authorization", Tokens.bearer("tenant-admin")).contentType(ContentType.JSON)
                .body("""
                        {"metadata": {"name": "%s", "annotations": {"hub.fulfillment.io/contact-email": "%s"}},
                         "spec": {"template": "ocp-small", "node_sets": {"workers": {"size": 1}}, "duration": "PT1M"}}
                        """.formatted(name, contact))
                .post(AlertsTesting.CLUSTERS).then().statusCode(201).extract().path("id");
        SmtpServer.ReceivedMail m = awaitMail(contact, "Your OpenShift cluster " + name + " expires at");
        assertTrue(m.textBody().contains(id), m.raw());
        AlertsTesting.deleteCluster(id);
    }

    @Test
    void opsChannelHearsOfAFailedProvisioningOnce() {
        String id = "k" + UUID.randomUUID().toString().substring(0, 8);
        Map<String, Object> cluster = new LinkedHashMap<>();
        cluster.put("id", id);
        cluster.put("metadata", Map.of("name", "doomed", "tenant", "demo"));
        cluster.put("status", Map.of("state", "FAILED", "reason", "InsufficientCapacity",
                "conditions", List.of(Map.of("type", "Failed", "status", "True", "reason", "InsufficientCapacity",
                        "message", "no free gpu-a100 host"))));
        long seq = db.tx(c -> Outbox.append(c, "cluster.failed", "demo", id, cluster));
        await().atMost(AlertsTesting.WAIT).until(() -> feed.position() >= seq);
        await().atMost(AlertsTesting.WAIT).until(() -> !wiremock.findAll(postRequestedFor(urlEqualTo(SinkServers.SLACK_PATH))
                .withRequestBody(containing(id))).isEmpty());
        List<LoggedRequest> posts = wiremock.findAll(postRequestedFor(urlEqualTo(SinkServers.SLACK_PATH))
                .withRequestBody(containing(id)));
        assertEquals(1, posts.size());
        String body = posts.get(0).getBodyAsString();
        assertTrue(body.contains("InsufficientCapacity") && body.contains("no free gpu-a100 host") && body.contains("\"blocks\""), body);

        // reading the same event again (another replica after a lost lease) queues nothing new
        long jobs = db.read(c -> Db.count(c, "select count(*) from sink_jobs where job_key like ?", "notify:%"));
        feed.done(new NotificationFeed.Batch(List.of()));
        Notifier notifier = io.quarkus.arc.Arc.container().instance(Notifier.class).get();
        String eventId = db.read(c -> Db.one(c, "select id from events where seq = ?", rs -> rs.getString(1), seq));
        notifier.provisioningFailed(new NotificationFeed.OutboxEvent(seq, eventId, Outbox.TYPE_PREFIX + "cluster.failed",
                "demo", id, io.fulfillmenthub.store.Json.tree(cluster)));
        assertEquals(jobs, (long) db.read(c -> Db.count(c, "select count(*) from sink_jobs where job_key like ?", "notify:%")));
    }

    @Test
    void oneReaderAcrossReplicas() {
        // a second replica's reader gets nothing while this one holds the lease, and cannot move the cursor
        NotificationFeed other = new NotificationFeed();
        other.db = db;
        other.lease = Duration.ofSeconds(30);
        other.batchSize = 100;
        await().atMost(AlertsTesting.WAIT).until(() -> feed.position() >= 0 && db.read(c -> Db.one(c,
                "select lease_owner from flow_cursors where name = 'notifications'", rs -> rs.getString(1))) != null);
        assertTrue(other.next().getEvents().isEmpty());
        long before = feed.position();
        other.done(new NotificationFeed.Batch(List.of(new NotificationFeed.OutboxEvent(before + 1000, "x", "t", null, "s", null))));
        assertEquals(before, feed.position());
    }
}
