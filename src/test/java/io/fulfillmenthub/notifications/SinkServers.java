package io.fulfillmenthub.notifications;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.patch;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlMatching;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;

import com.github.tomakehurst.wiremock.WireMockServer;
import io.fulfillmenthub.testsupport.SmtpServer;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * The outside world of the alert and notification tests, for the whole suite: one WireMock server playing ServiceNow
 * ({@code /servicenow}), Jira ({@code /jira}), PagerDuty ({@code /pagerduty}) and a Slack webhook ({@code /slack}), a
 * GreenMail SMTP server, and copies of {@code routes/} and {@code kamelets/} in {@code target/test-flows} (the hub
 * watches them; tests edit the copies, never the sources). Tests get the servers injected ({@code WireMockServer},
 * {@link SmtpServer} fields) and add their own, more specific stubs.
 */
public class SinkServers implements QuarkusTestResourceLifecycleManager {

    public static final String SLACK_PATH = "/slack/services/T0HUB/B0OPS/s3cr3tw3bh00k";
    public static final String ROUTING_KEY = "R0UT1NGK3Y0000000000000000000000";
    public static final String SN_USER = "hub-integration";
    public static final String SN_PASSWORD = "sn-pa55word";

    private WireMockServer wiremock;
    private SmtpServer smtp;

    @Override
    public Map<String, String> start() {
        wiremock = new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort().containerThreads(12)
                .asynchronousResponseEnabled(false));
        wiremock.start();
        defaults(wiremock);
        smtp = SmtpServer.start();
        Path flows = Path.of(System.getProperty("user.dir"), "target", "test-flows");
        copy(Path.of("routes"), flows.resolve("routes"));
        copy(Path.of("kamelets"), flows.resolve("kamelets"));

        String base = "http://127.0.0.1:" + wiremock.port();
        Map<String, String> config = new LinkedHashMap<>();
        config.put("hub.routes.dir", flows.resolve("routes").toString());
        config.put("hub.kamelets.dir", flows.resolve("kamelets").toString());
        config.put("hub.flows.watch-interval", "1s");
        config.put("hub.flows.stop-timeout", "10s");
        config.put("hub.tickets", "servicenow");
        config.put("hub.servicenow.url", base + "/servicenow");
        config.put("hub.servicenow.user", SN_USER);
        config.put("hub.servicenow.password", SN_PASSWORD);
        config.put("hub.jira.url", base + "/jira");
        config.put("hub.jira.user", "hub@example.test");
        config.put("hub.jira.token", "jira-t0ken");
        config.put("hub.jira.project", "OPS");
        config.put("hub.pagerduty.url", base + "/pagerduty");
        config.put("hub.pagerduty.routing-key", ROUTING_KEY);
        config.put("hub.slack.webhook-url", base + SLACK_PATH);
        config.put("hub.smtp.host", smtp.host());
        config.put("hub.smtp.port", Integer.toString(smtp.port()));
        config.put("hub.smtp.from", "hub@fulfillment.test");
        config.put("hub.notify.default-email", "purchasers@fulfillment.test");
        config.put("hub.sinks.retry-schedule", "200ms,400ms");
        config.put("hub.sinks.poll-interval-ms", "100");
        config.put("hub.alerts.poll-interval-ms", "100");
        config.put("hub.notifications.poll-interval-ms", "200");
        return config;
    }

    /** What every system answers when a test did not say otherwise. */
    static void defaults(WireMockServer w) {
        w.stubFor(post(urlEqualTo("/servicenow/api/now/table/incident")).atPriority(10)
                .willReturn(aResponse().withStatus(201).withHeader("Content-Type", "application/json")
                        .withBody("{\"result\":{\"sys_id\":\"{{randomValue length=32 type='HEXADECIMAL'}}\","
                                + "\"number\":\"INC{{randomValue length=7 type='NUMERIC'}}\",\"state\":\"1\"}}")
                        .withTransformers("response-template")));
        w.stubFor(patch(urlMatching("/servicenow/api/now/table/incident/[0-9a-fA-F]+")).atPriority(10)
                .willReturn(aResponse().withStatus(200).withHeader("Content-Type", "application/json")
                        .withBody("{\"result\":{\"state\":\"6\"}}")));
        w.stubFor(post(urlEqualTo("/jira/rest/api/2/issue")).atPriority(10)
                .willReturn(aResponse().withStatus(201).withHeader("Content-Type", "application/json")
                        .withBody("{\"id\":\"1{{randomValue length=4 type='NUMERIC'}}\",\"key\":\"OPS-{{randomValue length=4 type='NUMERIC'}}\","
                                + "\"self\":\"http://jira/rest/api/2/issue/1\"}")
                        .withTransformers("response-template")));
        w.stubFor(get(urlMatching("/jira/rest/api/2/issue/[A-Z]+-[0-9]+/transitions")).atPriority(10)
                .willReturn(aResponse().withStatus(200).withHeader("Content-Type", "application/json")
                        .withBody("{\"transitions\":[{\"id\":\"11\",\"name\":\"Start Progress\",\"to\":{\"statusCategory\":{\"key\":\"indeterminate\"}}},"
                                + "{\"id\":\"31\",\"name\":\"Done\",\"to\":{\"statusCategory\":{\"key\":\"done\"}}}]}")));
        w.stubFor(post(urlMatching("/jira/rest/api/2/issue/[A-Z]+-[0-9]+/transitions")).atPriority(10)
                .willReturn(aResponse().withStatus(204)));
        w.stubFor(post(urlEqualTo("/pagerduty/v2/enqueue")).atPriority(10)
                .willReturn(aResponse().withStatus(202).withHeader("Content-Type", "application/json")
                        .withBody("{\"status\":\"success\",\"message\":\"Event processed\","
                                + "\"dedup_key\":\"{{jsonPath request.body '$.dedup_key'}}\"}")
                        .withTransformers("response-template")));
        w.stubFor(post(urlEqualTo(SLACK_PATH)).atPriority(10)
                .willReturn(aResponse().withStatus(200).withHeader("Content-Type", "text/plain").withBody("ok")));
    }

    @Override
    public void inject(TestInjector injector) {
        injector.injectIntoFields(wiremock, new TestInjector.MatchesType(WireMockServer.class));
        injector.injectIntoFields(smtp, new TestInjector.MatchesType(SmtpServer.class));
    }

    @Override
    public void stop() {
        if (wiremock != null) {
            wiremock.stop();
        }
        if (smtp != null) {
            smtp.close();
        }
    }

    static void copy(Path from, Path to) {
        try {
            if (Files.exists(to)) {
                try (Stream<Path> s = Files.walk(to)) {
                    s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
                }
            }
            Files.createDirectories(to);
            try (Stream<Path> s = Files.list(from)) {
                for (Path f : s.toList()) {
                    if (Files.isRegularFile(f)) {
                        Files.copy(f, to.resolve(f.getFileName()));
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
