package io.fulfillmenthub.flows;

import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import com.github.tomakehurst.wiremock.WireMockServer;
import io.fulfillmenthub.alerts.AlertsTesting;
import io.fulfillmenthub.notifications.SinkServers;
import io.fulfillmenthub.testsupport.Tokens;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import org.apache.camel.CamelContext;
import org.apache.camel.ProducerTemplate;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

/**
 * Safe reload: broken YAML is refused while the running flows keep working; valid edits take effect without a
 * restart, through the API or the folder watch; exchanges in flight finish on the routes they started on.
 */
@QuarkusTest
@WithTestResource(value = SinkServers.class, scope = TestResourceScope.GLOBAL)
class FlowReloadTest {

    static final String FLOWS = "/api/admin/v1/flows";

    WireMockServer wiremock;

    @ConfigProperty(name = "hub.routes.dir")
    Path routesDir;
    @ConfigProperty(name = "hub.kamelets.dir")
    Path kameletsDir;
    @Inject
    ProducerTemplate producer;
    @Inject
    CamelContext camel;

    static void write(Path file, String content) throws IOException {
        Path tmp = file.resolveSibling("." + file.getFileName() + ".tmp");
        Files.writeString(tmp, content);
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    static String probe(String id, String value, int delayMs) {
        return """
                - route:
                    id: %s
                    from:
                      uri: direct:%s
                      steps:
                        - delay: {constant: "%d"}
                        - setBody: {constant: "%s"}
                """.formatted(id, id, delayMs, value);
    }

    static Response reload() {
        return given().header("Authorization", Tokens.bearer("provider-admin")).post(FLOWS + "/reload");
    }

    double failures() {
        String metrics = given().get("/q/metrics").then().statusCode(200).extract().asString();
        return metrics.lines().filter(l -> l.startsWith("hub_flow_reload_failures_total")).mapToDouble(
                l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).findFirst().orElse(0);
    }

    @Test
    void brokenEditsAreRefusedAndValidOnesTakeEffect() throws Exception {
        Path file = routesDir.resolve("zz-reload-probe.yaml");
        write(file, probe("reload-probe", "v1", 0));
        reload().then().statusCode(200);
        await().atMost(AlertsTesting.WAIT).until(() -> "v1".equals(producer.requestBody("direct:reload-probe", "", String.class)));

        double before = failures();
        Map<String, String> broken = Map.of(
                "- route:\n    id: reload-probe\n    from: {uri: direct:reload-probe, steps: [ {setBody: {constant: v2}} \n", "parse",
                probe("reload-probe", "v2", 0).replace("setBody: {constant: \"v2\"}", "bean: {ref: noSuchBean, method: go}"), "noSuchBean",
                probe("reload-probe", "v2", 0).replace("setBody: {constant: \"v2\"}", "to: kamelet:no-such-sink"), "no-such-sink",
                probe("reload-probe", "v2", 0).replace("setBody: {constant: \"v2\"}", "to: nosuchcomponent:x"), "nosuchcomponent",
                probe("reload-probe", "v2", 0).replace("setBody: {constant: \"v2\"}", "setBody: {simple: \"${body.unclosed\"}"), "simple",
                probe("reload-probe", "v2", 0).replace("setBody: {constant: \"v2\"}", "bean: {ref: alertPolicy, method: noSuchStep}"), "noSuchStep",
                probe("reload-probe", "v2", 0).replace("id: reload-probe", "id: alert-policy"), "alert-policy");
        for (Map.Entry<String, String> b : broken.entrySet()) {
            write(file, b.getKey());
            reload().then().statusCode(400).contentType("application/problem+json")
                    .body("field", org.hamcrest.Matchers.equalTo("zz-reload-probe.yaml"))
                    .body("detail", containsString(b.getValue()));
            // the old flow keeps working
            assertEquals("v1", producer.requestBody("direct:reload-probe", "", String.class));
        }
        given().header("Authorization", Tokens.bearer("sre")).get(FLOWS).then().statusCode(200)
                .body("last_reload.outcome", org.hamcrest.Matchers.equalTo("refused"))
                .body("last_reload.errors[0].file", org.hamcrest.Matchers.equalTo("zz-reload-probe.yaml"));
        assertTrue(failures() >= before + broken.size(), "hub_flow_reload_failures_total counts refusals");

        // a valid edit is picked up by the folder watch, without the API
        write(file, probe("reload-probe", "v2", 0));
        await().atMost(AlertsTesting.WAIT).until(() -> "v2".equals(producer.requestBody("direct:reload-probe", "", String.class)));

        // removing the file removes its routes
        Files.delete(file);
        await().atMost(AlertsTesting.WAIT).until(() -> camel.getRoute("reload-probe") == null);
    }

    @Test
    void exchangesInFlightFinishOnTheRouteTheyStartedOn() throws Exception {
        Path file = routesDir.resolve("zz-slow-probe.yaml");
        write(file, probe("slow-probe", "old", 3000));
        reload().then().statusCode(200);
        await().atMost(AlertsTesting.WAIT).until(() -> camel.getRoute("slow-probe") != null);
        CompletableFuture<Object> inFlight = producer.asyncRequestBody("direct:slow-probe", "");
        Thread.sleep(500);
        write(file, probe("slow-probe", "new", 0));
        reload().then().statusCode(200);
        assertEquals("old", inFlight.get());
        assertEquals("new", producer.requestBody("direct:slow-probe", "", String.class));
        Files.delete(file);
        reload().then().statusCode(200);
        assertNull(camel.getRoute("slow-probe"));
    }

    @Test
    void adminAddsAChatStepToThePolicyWithoutRebuilding() throws Exception {
        Path policy = routesDir.resolve("alert-policy.yaml");
        String original = Files.readString(policy);
        try {
            // a broken edit of the live policy is refused, and alerts are still handled by the old one
            write(policy, original.replace("method: quarantine}", "method: quarantine}\n                        - bean: {ref: alertPolicy, method: postToChatt}"));
            reload().then().statusCode(400).body("detail", containsString("postToChatt"));
            String fp = AlertsTesting.fingerprint();
            AlertsTesting.postAlertmanager(AlertsTesting.alertmanager("alertmanager/disk-errors-firing.json", null, fp))
                    .then().statusCode(202);
            AlertsTesting.awaitAlert("alertmanager:" + fp, a -> "OPEN".equals(a.getString("ticket.state")));

            // docs/alerts.md: post critical alerts to the chat channel too
            String step = "                        - bean: {ref: alertPolicy, method: quarantine}\n";
            String edited = original.replace(step, step + "                        - bean: {ref: alertPolicy, method: postToChat}\n");
            assertTrue(!edited.equals(original), "the documented edit applies to the shipped policy");
            write(policy, edited);
            reload().then().statusCode(200);
            String fp2 = AlertsTesting.fingerprint();
            AlertsTesting.postAlertmanager(AlertsTesting.alertmanager("alertmanager/disk-errors-firing.json", null, fp2))
                    .then().statusCode(202);
            String alertId = AlertsTesting.awaitAlert("alertmanager:" + fp2, a -> "OPEN".equals(a.getString("ticket.state")))
                    .getString("id");
            await().atMost(AlertsTesting.WAIT).until(() -> !wiremock.findAll(postRequestedFor(urlEqualTo(SinkServers.SLACK_PATH))
                    .withRequestBody(containing(alertId))).isEmpty());
            assertTrue(wiremock.findAll(postRequestedFor(urlEqualTo(SinkServers.SLACK_PATH)).withRequestBody(containing(alertId)))
                    .get(0).getBodyAsString().contains("CRITICAL FIRING"));
        } finally {
            write(policy, original);
            reload();
        }
    }

    @Test
    void kameletEditsAreValidatedAndReloaded() throws Exception {
        Path slack = kameletsDir.resolve("slack-message-sink.kamelet.yaml");
        String original = Files.readString(slack);
        try {
            write(slack, original.replace("io.fulfillmenthub.flows.sinks.SlackMessage, method: request",
                    "io.fulfillmenthub.flows.sinks.NoSuchClass, method: request"));
            reload().then().statusCode(400).body("field", org.hamcrest.Matchers.equalTo("slack-message-sink.kamelet.yaml"))
                    .body("detail", containsString("NoSuchClass"));
            write(slack, original.replace("name: slack-message-sink", "name: slack-renamed"));
            reload().then().statusCode(400).body("detail", containsString("metadata.name"));
            // a valid change replaces the template and every route made from it
            String step = "        - setProperty: {name: timeoutMillis, constant: \"{{timeoutMillis}}\"}\n";
            assertTrue(original.contains(step));
            write(slack, original.replace(step, step + "        - setBody: {simple: \"${body} [v2]\"}\n"));
            reload().then().statusCode(200).body("outcome", org.hamcrest.Matchers.equalTo("applied"));
            String text = "after kamelet reload " + AlertsTesting.fingerprint();
            assertEquals("ok", producer.requestBody("kamelet:slack-message-sink", text, String.class));
            wiremock.verify(1, postRequestedFor(urlEqualTo(SinkServers.SLACK_PATH))
                    .withRequestBody(matchingJsonPath("$.text", equalTo(text + " [v2]"))));
            // the old template's routes are gone: one route made from the Kamelet serves every caller
            assertEquals(1, camel.getRoutes().stream().filter(r -> r.isCreatedByKamelet()
                    && r.getRouteId().startsWith("slack-message-sink")).count());
        } finally {
            write(slack, original);
            reload();
        }
        List<Map<String, Object>> files = given().header("Authorization", Tokens.bearer("provider-admin")).get(FLOWS)
                .then().statusCode(200).extract().path("files");
        assertTrue(files.stream().anyMatch(f -> "slack-message-sink.kamelet.yaml".equals(f.get("name")) && "kamelet".equals(f.get("kind"))));
        assertTrue(files.stream().anyMatch(f -> "alert-policy.yaml".equals(f.get("name"))
                && ((List<?>) f.get("routes")).contains("alert-policy")));
    }

    @Test
    void flowsViewAndReloadNeedTheirRoles() {
        given().get(FLOWS).then().statusCode(401);
        given().header("Authorization", Tokens.bearer("tenant-admin")).get(FLOWS).then().statusCode(403);
        given().header("Authorization", Tokens.bearer("sre")).post(FLOWS + "/reload").then().statusCode(403);
        given().header("Authorization", Tokens.bearer("provider-admin")).get(FLOWS).then().statusCode(200)
                .body("watching", org.hamcrest.Matchers.equalTo(true));
    }
}
