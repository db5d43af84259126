package io.fulfillmenthub.ops;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;

import com.fasterxml.jackson.core.type.TypeReference;
import io.fulfillmenthub.security.signing.StandardWebhooks;
import io.fulfillmenthub.store.Json;
import io.fulfillmenthub.testsupport.Tokens;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import org.junit.jupiter.api.Test;

/**
 * With the polls of the billing inbox, the reconcile and the alert inbox set to once an hour, orders still go all the
 * way: committed work wakes its route at once, and the management hub's watch events wake the reconcile.
 */
@QuarkusTest
@TestProfile(WakeupTest.PollsOff.class)
class WakeupTest {

    public static class PollsOff implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("hub.reconcile.poll-interval-ms", "3600000",
                    "hub.billing.poll-interval-ms", "3600000",
                    "hub.alerts.poll-interval-ms", "3600000",
                    "hub.provisioning.resync", "1h",
                    "hub.embedded.inventory", "cpu-standard=4,gpu-a100=1,cpu-highmem=1");
        }
    }

    static final Duration WAIT = Duration.ofSeconds(30);

    static String state(String id) {
        return given().header("Authorization", Tokens.bearer("sre")).get("/api/admin/v1/clusters/" + id)
                .then().extract().path("status.state");
    }

    @Test
    void anApiOrderBecomesReadyWithoutAPoll() {
        String id = given().header("Authorization", Tokens.bearer("tenant-admin")).contentType(ContentType.JSON)
                .body("{\"metadata\":{\"name\":\"w" + UUID.randomUUID().toString().substring(0, 8)
                        + "\"},\"spec\":{\"template\":\"ocp-small\",\"node_sets\":{\"workers\":{\"size\":1}},\"duration\":\"P1D\"}}")
                .post("/api/fulfillment/v1/clusters").then().statusCode(201).extract().path("id");
        await().atMost(WAIT).pollInterval(Duration.ofMillis(200)).until(() -> "READY".equals(state(id)));
    }

    @Test
    void aPaidOrderWebhookBecomesAClusterWithoutAPoll() throws Exception {
        Map<String, String> secrets = Json.MAPPER.readValue(Files.readAllBytes(Tokens.dataDir().resolve("secrets.json")),
                new TypeReference<>() {
                });
        String clusterId = UUID.randomUUID().toString();
        String body = Json.write(Map.of("type", "order.paid", "timestamp", Instant.now().toString(),
                "data", Map.of("order_id", "ord_" + UUID.randomUUID().toString().substring(0, 8), "tenant", "demo",
                        "template", "ocp-small", "duration", "P1D", "cluster_name", "w" + clusterId.substring(0, 8),
                        "cluster_id", clusterId, "node_sets", Map.of("workers", Map.of("size", 1)))));
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        given().headers(StandardWebhooks.headers(secrets.get("billing_webhook_secret"), "msg_" + UUID.randomUUID(),
                Instant.now().getEpochSecond(), bytes)).contentType("application/json").body(bytes)
                .post("/webhooks/billing").then().statusCode(200);
        await().atMost(WAIT).pollInterval(Duration.ofMillis(200)).until(() -> "READY".equals(state(clusterId)));
    }
}
