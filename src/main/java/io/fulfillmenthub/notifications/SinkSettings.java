package io.fulfillmenthub.notifications;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Which outbound systems (sinks) are configured. A sink without its URL (or SMTP host, or routing key) is OFF: the
 * flows skip its step, say so in the log and count it in {@code hub_sink_skipped_total}. The credentials themselves
 * reach the Kamelets through {@code camel.kamelet.<name>.<property>} settings and never pass through here.
 */
@ApplicationScoped
public class SinkSettings {

    private static final Logger LOG = Logger.getLogger(SinkSettings.class);

    public static final String SERVICENOW = "servicenow";
    public static final String JIRA = "jira";
    public static final String PAGERDUTY = "pagerduty";
    public static final String SLACK = "slack";
    public static final String MAIL = "mail";

    @ConfigProperty(name = "hub.tickets")
    Optional<String> tickets;
    @ConfigProperty(name = "hub.servicenow.url")
    Optional<String> servicenowUrl;
    @ConfigProperty(name = "hub.jira.url")
    Optional<String> jiraUrl;
    @ConfigProperty(name = "hub.jira.project")
    Optional<String> jiraProject;
    @ConfigProperty(name = "hub.pagerduty.routing-key")
    Optional<String> pagerdutyRoutingKey;
    @ConfigProperty(name = "hub.slack.webhook-url")
    Optional<String> slackWebhookUrl;
    @ConfigProperty(name = "hub.smtp.host")
    Optional<String> smtpHost;
    @ConfigProperty(name = "hub.smtp.from")
    Optional<String> smtpFrom;
    @ConfigProperty(name = "hub.notify.default-email")
    Optional<String> defaultEmail;
    @ConfigProperty(name = "hub.tickets.assignment-group", defaultValue = "Datacenter Operations")
    String assignmentGroup;
    @ConfigProperty(name = "hub.tickets.default-group", defaultValue = "Hardware Triage")
    String defaultGroup;
    @ConfigProperty(name = "hub.sinks.retry-schedule", defaultValue = "5s,30s,2m,10m,30m,1h")
    String retrySchedule;
    @ConfigProperty(name = "hub.sinks.rate.pagerduty", defaultValue = "120/PT1M")
    String pagerdutyRate;
    @ConfigProperty(name = "hub.sinks.rate.slack", defaultValue = "1/PT1S")
    String slackRate;
    @ConfigProperty(name = "hub.sinks.rate.servicenow", defaultValue = "10/PT1S")
    String servicenowRate;
    @ConfigProperty(name = "hub.sinks.rate.jira", defaultValue = "5/PT1S")
    String jiraRate;
    @ConfigProperty(name = "hub.sinks.rate.mail", defaultValue = "5/PT1S")
    String mailRate;

    /** A fixed-window limit: {@code permits} per {@code window}. */
    public record Rate(int permits, Duration window) {
        static Rate parse(String text) {
            String[] parts = text.trim().split("/", 2);
            if (parts.length != 2) {
                throw new IllegalArgumentException("rate must look like 120/PT1M, got " + text);
            }
            return new Rate(Integer.parseInt(parts[0].trim()), Duration.parse(parts[1].trim()));
        }
    }

    void log(@Observes StartupEvent ev) {
        List<String> on = new ArrayList<>();
        List<String> off = new ArrayList<>();
        for (String s : List.of(SERVICENOW, JIRA, PAGERDUTY, SLACK, MAIL)) {
            (on(s) ? on : off).add(s);
        }
        LOG.infof("Sinks on: %s; off (steps skipped): %s; tickets go to %s", on, off,
                ticketSystem() == null ? "nowhere (set HUB_TICKETS and its URL)" : ticketSystem());
    }

    public boolean on(String sink) {
        return switch (sink) {
            case SERVICENOW -> set(servicenowUrl);
            case JIRA -> set(jiraUrl) && set(jiraProject);
            case PAGERDUTY -> set(pagerdutyRoutingKey);
            case SLACK -> set(slackWebhookUrl);
            case MAIL -> set(smtpHost) && set(smtpFrom);
            default -> false;
        };
    }

    /**
     * The ticketing system: {@code HUB_TICKETS} when it names a configured one; without {@code HUB_TICKETS}, the one
     * configured (ServiceNow first); null when none is.
     */
    public String ticketSystem() {
        String chosen = tickets.map(t -> t.trim().toLowerCase(Locale.ROOT)).filter(t -> !t.isEmpty()).orElse(null);
        if (chosen != null) {
            return (SERVICENOW.equals(chosen) || JIRA.equals(chosen)) && on(chosen) ? chosen : null;
        }
        if (on(SERVICENOW)) {
            return SERVICENOW;
        }
        return on(JIRA) ? JIRA : null;
    }

    public String assignmentGroup() {
        return assignmentGroup;
    }

    public String defaultGroup() {
        return defaultGroup;
    }

    /** The default recipient of tenant mail ({@code HUB_NOTIFY_DEFAULT_EMAIL}); null when unset. */
    public String defaultEmail() {
        return defaultEmail.map(String::trim).filter(s -> !s.isEmpty()).orElse(null);
    }

    /** A short fingerprint of the routing key / webhook URL, so rate limits are per key without naming the secret. */
    public String rateKey(String sink) {
        String secret = switch (sink) {
            case PAGERDUTY -> pagerdutyRoutingKey.orElse("");
            case SLACK -> slackWebhookUrl.orElse("");
            case SERVICENOW -> servicenowUrl.orElse("");
            case JIRA -> jiraUrl.orElse("");
            case MAIL -> smtpHost.orElse("");
            default -> "";
        };
        return sink + ":" + SinkJobs.sha256(secret).substring(0, 12);
    }

    public Rate rate(String sink) {
        return Rate.parse(switch (sink) {
            case PAGERDUTY -> pagerdutyRate;
            case SLACK -> slackRate;
            case SERVICENOW -> servicenowRate;
            case JIRA -> jiraRate;
            default -> mailRate;
        });
    }

    /** Gaps before each retry; after the last one the job is dead-lettered. */
    public List<Duration> retrySchedule() {
        List<Duration> out = new ArrayList<>();
        for (String part : retrySchedule.split(",")) {
            String p = part.trim().toLowerCase(Locale.ROOT);
            if (p.isEmpty()) {
                continue;
            }
            out.add(parseDuration(p));
        }
        return out;
    }

    static Duration parseDuration(String p) {
        if (p.startsWith("p")) {
            return Duration.parse(p.toUpperCase(Locale.ROOT));
        }
        if (p.endsWith("ms")) {
            return Duration.ofMillis(Long.parseLong(p.substring(0, p.length() - 2)));
        }
        long n = Long.parseLong(p.substring(0, p.length() - 1));
        return switch (p.charAt(p.length() - 1)) {
            case 's' -> Duration.ofSeconds(n);
            case 'm' -> Duration.ofMinutes(n);
            case 'h' -> Duration.ofHours(n);
            case 'd' -> Duration.ofDays(n);
            default -> throw new IllegalArgumentException("unknown duration " + p);
        };
    }

    private static boolean set(Optional<String> v) {
        return v.isPresent() && !v.get().isBlank();
    }
}
