package io.fulfillmenthub.flows;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import io.fulfillmenthub.notifications.SinkServers;
import io.fulfillmenthub.security.signing.StandardWebhooks;
import io.fulfillmenthub.testsupport.SmtpServer;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.apache.camel.CamelExecutionException;
import org.apache.camel.ProducerTemplate;
import org.junit.jupiter.api.Test;

/** Each Kamelet against a real server speaking the system's API; what the hub's flows do not exercise themselves. */
@QuarkusTest
@WithTestResource(value = SinkServers.class, scope = TestResourceScope.GLOBAL)
class KameletSinksTest {

    WireMockServer wiremock;
    SmtpServer smtp;

    @Inject
    ProducerTemplate producer;

    /** What a route might carry when it calls a sink: none of it may reach the external system. */
    static Map<String, Object> dispatchHeaders() {
        Map<String, Object> h = new LinkedHashMap<>();
        h.put("Authorization", "Bearer inbound-jwt-must-not-leak");
        h.put("CamelHttpUri", "http://127.0.0.1:9/elsewhere");
        h.put("CamelHttpPath", "/elsewhere");
        h.put("X-Hub-Token", "inbound-token");
        h.put("breadcrumbId", "abc");
        return h;
    }

    static void assertNoDispatchHeaders(LoggedRequest r) {
        assertFalse(r.getHeaders().keys().stream().anyMatch(k -> k.startsWith("Camel") || k.equalsIgnoreCase("X-Hub-Token")
                || k.equalsIgnoreCase("breadcrumbId")), "dispatch headers leaked: " + r.getHeaders());
        String auth = r.getHeader("Authorization");
        assertTrue(auth == null || !auth.contains("inbound-jwt"), "the inbound Authorization leaked");
    }

    @Test
    @SuppressWarnings("unchecked")
    void jiraIssueCreatedThenResolvedThroughItsDoneTransition() {
        String summary = "disk errors " + UUID.randomUUID();
        Map<String, Object> headers = dispatchHeaders();
        headers.put("JiraAction", "create");
        Map<String, Object> issue = Map.of("summary", summary, "description", "details", "labels", List.of("fulfillment-hub"));
        Map<String, Object> created = producer.requestBodyAndHeaders("kamelet:jira-issue-sink", issue, headers, Map.class);
        String key = created.get("key").toString();
        assertTrue(key.startsWith("OPS-"), created.toString());
        LoggedRequest req = wiremock.findAll(postRequestedFor(urlEqualTo("/jira/rest/api/2/issue"))
                .withRequestBody(matchingJsonPath("$.fields.summary", equalTo(summary)))).get(0);
        String body = req.getBodyAsString();
        assertTrue(body.contains("\"project\":{\"key\":\"OPS\"}") && body.contains("\"issuetype\":{\"name\":\"Task\"}"), body);
        assertEquals("Basic " + java.util.Base64.getEncoder().encodeToString("hub@example.test:jira-t0ken".getBytes()),
                req.getHeader("Authorization"));
        assertNoDispatchHeaders(req);

        Map<String, Object> resolveHeaders = dispatchHeaders();
        resolveHeaders.put("JiraAction", "resolve");
        resolveHeaders.put("JiraIssueKey", key);
        Map<String, Object> resolved = producer.requestBodyAndHeaders("kamelet:jira-issue-sink", "cleared", resolveHeaders, Map.class);
        assertEquals(Boolean.TRUE, resolved.get("resolved"));
        wiremock.verify(1, getRequestedFor(urlEqualTo("/jira/rest/api/2/issue/" + key + "/transitions")));
        LoggedRequest t = wiremock.findAll(postRequestedFor(urlEqualTo("/jira/rest/api/2/issue/" + key + "/transitions"))).get(0);
        assertTrue(t.getBodyAsString().contains("\"transition\":{\"id\":\"31\"}"), t.getBodyAsString());
        assertTrue(t.getBodyAsString().contains("\"body\":\"cleared\""), t.getBodyAsString());
        assertNoDispatchHeaders(t);
    }

    @Test
    void signedWebhookCarriesAValidStandardWebhooksSignature() throws Exception {
        String secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
        String path = "/hooks/" + UUID.randomUUID();
        wiremock.stubFor(post(urlEqualTo(path)).willReturn(aResponse().withStatus(204)));
        String body = "{\"test\": 2432232314}";
        Map<String, Object> headers = dispatchHeaders();
        headers.put("WebhookId", "msg_p5jXN8AQM9LWM0D4loKWxJek");
        producer.requestBodyAndHeaders("kamelet:webhook-sink?url=RAW(http://127.0.0.1:" + wiremock.port() + path
                + ")&secret=RAW(" + secret + ")", body, headers);
        LoggedRequest r = wiremock.findAll(postRequestedFor(urlEqualTo(path))).get(0);
        assertEquals("msg_p5jXN8AQM9LWM0D4loKWxJek", r.getHeader("webhook-id"));
        assertEquals("application/json", r.getHeader("Content-Type").split(";")[0]);
        StandardWebhooks.Verified v = new StandardWebhooks().verify(r.getHeader("webhook-id"), r.getHeader("webhook-timestamp"),
                r.getHeader("webhook-signature"), r.getBody(), List.of(secret), Instant.now());
        assertEquals("msg_p5jXN8AQM9LWM0D4loKWxJek", v.messageId());
        assertEquals(body, new String(r.getBody(), StandardCharsets.UTF_8));
        assertNoDispatchHeaders(r);
    }

    @Test
    void mailIsMultipartTextAndHtmlWithOnlyItsOwnHeaders() {
        String to = "mail-" + UUID.randomUUID().toString().substring(0, 8) + "@example.test";
        Map<String, Object> headers = dispatchHeaders();
        headers.put("MailTo", to);
        headers.put("MailSubject", "Your cluster is ready");
        headers.put("MailHtml", "<p>Console: <a href=\"https://console.example\">here</a></p>");
        producer.requestBodyAndHeaders("kamelet:mail-sink", "Console: https://console.example", headers);
        SmtpServer.ReceivedMail m = smtp.messages().stream().filter(x -> x.deliveredTo().contains(to)).findFirst()
                .orElseThrow(() -> new AssertionError("no mail to " + to));
        assertEquals("Your cluster is ready", m.subject());
        assertEquals(List.of("hub@fulfillment.test"), m.from());
        assertTrue(m.textBody().contains("Console: https://console.example"), m.raw());
        assertNotNull(m.htmlBody(), m.raw());
        assertFalse(m.raw().contains("inbound-jwt") || m.raw().contains("X-Hub-Token") || m.raw().contains("CamelHttpUri"),
                m.raw());
    }

    @Test
    void pagerDutyAndSlackRefuseWhatTheirApisWouldRefuse() {
        CamelExecutionException e = assertThrows(CamelExecutionException.class, () -> producer.requestBody(
                "kamelet:pagerduty-event-sink", Map.of("event_action", "resolve")));
        assertTrue(e.getCause() instanceof IllegalArgumentException, String.valueOf(e.getCause()));
        assertThrows(CamelExecutionException.class, () -> producer.requestBody("kamelet:pagerduty-event-sink",
                Map.of("event_action", "trigger", "payload", Map.of("summary", "no source"))));
        String text = "plain " + UUID.randomUUID();
        assertEquals("ok", producer.requestBody("kamelet:slack-message-sink", text, String.class));
        LoggedRequest r = wiremock.findAll(postRequestedFor(urlEqualTo(SinkServers.SLACK_PATH))
                .withRequestBody(matchingJsonPath("$.text", equalTo(text)))).get(0);
        assertEquals("application/json", r.getHeader("Content-Type").split(";")[0]);
        assertTrue(Duration.between(r.getLoggedDate().toInstant(), Instant.now()).toMinutes() < 5);
    }
}
