package io.fulfillmenthub.notifications;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.ConnectException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.apache.camel.http.base.HttpOperationFailedException;
import org.junit.jupiter.api.Test;

/** The rules of the sinks without a running hub: which sink is on, what is retried, what is kept of an error. */
class SinkRulesTest {

    static SinkSettings settings(String tickets, String servicenow, String jira, String jiraProject, String routingKey,
            String slack, String smtp) {
        SinkSettings s = new SinkSettings();
        s.tickets = Optional.ofNullable(tickets);
        s.servicenowUrl = Optional.ofNullable(servicenow);
        s.jiraUrl = Optional.ofNullable(jira);
        s.jiraProject = Optional.ofNullable(jiraProject);
        s.pagerdutyRoutingKey = Optional.ofNullable(routingKey);
        s.slackWebhookUrl = Optional.ofNullable(slack);
        s.smtpHost = Optional.ofNullable(smtp);
        s.smtpFrom = Optional.of("hub@example.com");
        s.defaultEmail = Optional.empty();
        s.retrySchedule = "5s, 30s,2m,1h,P1D,250ms";
        s.pagerdutyRate = "120/PT1M";
        return s;
    }

    @Test
    void aSinkWithoutItsUrlIsOff() {
        SinkSettings none = settings(null, null, null, null, null, null, null);
        for (String sink : List.of("servicenow", "jira", "pagerduty", "slack", "mail")) {
            assertFalse(none.on(sink), sink);
        }
        assertNull(none.ticketSystem());
        SinkSettings blank = settings("servicenow", " ", "https://jira", null, "", "", "");
        assertFalse(blank.on("servicenow"));
        assertFalse(blank.on("jira"), "Jira needs its project too");
        assertNull(blank.ticketSystem(), "HUB_TICKETS names a system that is off");
    }

    @Test
    void ticketsGoWhereHubTicketsSaysOrToTheOneConfigured() {
        assertEquals("jira", settings("JIRA", "https://sn", "https://jira", "OPS", null, null, null).ticketSystem());
        assertEquals("servicenow", settings(null, "https://sn", "https://jira", "OPS", null, null, null).ticketSystem());
        assertEquals("jira", settings(null, null, "https://jira", "OPS", null, null, null).ticketSystem());
        assertNull(settings("remedy", "https://sn", null, null, null, null, null).ticketSystem());
    }

    @Test
    void schedulesRatesAndKeys() {
        SinkSettings s = settings(null, null, null, null, "R0UTING", "https://hooks.slack.com/services/T/B/X", null);
        assertEquals(List.of(Duration.ofSeconds(5), Duration.ofSeconds(30), Duration.ofMinutes(2), Duration.ofHours(1),
                Duration.ofDays(1), Duration.ofMillis(250)), s.retrySchedule());
        assertEquals(new SinkSettings.Rate(120, Duration.ofMinutes(1)), s.rate("pagerduty"));
        assertTrue(s.rateKey("pagerduty").startsWith("pagerduty:"));
        assertFalse(s.rateKey("slack").contains("hooks.slack.com"), "a rate key never shows the secret");
    }

    @Test
    void whatIsRetriedAndWhatIsDeadAtOnce() {
        assertTrue(SinkJobs.classify(http(400, null)).permanent(), "PagerDuty 400: do not retry");
        assertTrue(SinkJobs.classify(http(401, null)).permanent());
        assertTrue(SinkJobs.classify(http(404, null)).permanent());
        assertFalse(SinkJobs.classify(http(429, null)).permanent());
        assertFalse(SinkJobs.classify(http(408, null)).permanent());
        assertFalse(SinkJobs.classify(http(500, null)).permanent());
        assertFalse(SinkJobs.classify(http(503, null)).permanent());
        assertFalse(SinkJobs.classify(new RuntimeException(new ConnectException("Connection refused"))).permanent());
        assertTrue(SinkJobs.classify(new IllegalArgumentException("bad")).permanent());
        assertEquals(Duration.ofSeconds(7), SinkJobs.classify(http(429, Map.of("Retry-After", "7"))).retryAfter());
        assertEquals(Duration.ofDays(1), SinkJobs.retryAfter(Map.of("retry-after", "999999")));
        assertNull(SinkJobs.retryAfter(Map.of("Retry-After", "soon")));
    }

    @Test
    void errorsKeptWithJobsNameNoSecrets() {
        String msg = SinkJobs.classify(new RuntimeException("I/O error on POST https://hooks.slack.com/services/T/B/secret "
                + "with password=hunter2 and \"routing_key\":\"R0UTING\"")).message();
        assertFalse(msg.contains("hooks.slack.com") || msg.contains("hunter2") || msg.contains("R0UTING"), msg);
        assertEquals(20, SinkJobs.bounded("a".repeat(50), 20).length());
        assertEquals("short", SinkJobs.bounded("short", 20));
    }

    static HttpOperationFailedException http(int code, Map<String, String> headers) {
        return new HttpOperationFailedException("http://sink/x", code, "status", null, headers, "body");
    }
}
