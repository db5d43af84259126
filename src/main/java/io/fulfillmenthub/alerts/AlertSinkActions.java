package io.fulfillmenthub.alerts;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

import io.fulfillmenthub.notifications.SinkActions;
import io.fulfillmenthub.notifications.SinkJobs;
import io.fulfillmenthub.notifications.SinkSettings;
import io.fulfillmenthub.store.Db;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.apache.camel.Exchange;
import org.jboss.logging.Logger;

/**
 * Tickets and pages of alerts, as sink jobs.
 *
 * <p><b>One ticket per dedupe key.</b> The hub keeps the key -> ticket map itself ({@code alert_tickets}; ticket
 * search is unreliable). Before the ticketing system is called, the map row is inserted under its primary key (or
 * taken over from a RESOLVED/FAILED row of an earlier episode) with a claim; a concurrent duplicate finds the row and
 * waits, or skips when the ticket exists already. Ticket jobs of one key are also sent strictly one after the other
 * (same order key), so a resolution always finds the ticket it resolves. A replica that dies between the ticketing
 * system's answer and the map update leaves an expired claim: the next attempt opens the ticket again, the one
 * window in which a duplicate is possible.
 */
@ApplicationScoped
public class AlertSinkActions implements SinkActions {

    private static final Logger LOG = Logger.getLogger(AlertSinkActions.class);
    public static final String TICKET_OPEN = "ticket.open";
    public static final String TICKET_RESOLVE = "ticket.resolve";
    public static final String PAGE_TRIGGER = "page.trigger";
    public static final String PAGE_RESOLVE = "page.resolve";

    @Inject
    Db db;
    @Inject
    SinkSettings settings;

    @Override
    public boolean handles(String action) {
        return action.startsWith("ticket.") || action.startsWith("page.");
    }

    // ------------------------------------------------------------------------------------------------ prepare

    @Override
    public void prepare(SinkJobs.Job job, Exchange ex) {
        Alert a = db.read(c -> AlertStore.get(c, job.alertId()));
        if (a == null) {
            throw new SinkJobs.SkipJob("alert " + job.alertId() + " is gone");
        }
        switch (job.action()) {
            case TICKET_OPEN -> prepareOpen(job, a, ex);
            case TICKET_RESOLVE -> prepareResolve(job, a, ex);
            case PAGE_TRIGGER, PAGE_RESOLVE -> ex.getMessage().setBody(new LinkedHashMap<>(job.payload()));
            default -> throw new IllegalArgumentException("unknown action " + job.action());
        }
    }

    private void prepareOpen(SinkJobs.Job job, Alert a, Exchange ex) {
        claimTicket(job, a);
        if (SinkSettings.JIRA.equals(job.sink())) {
            ex.getMessage().setHeader("JiraAction", "create");
            ex.getMessage().setBody(jiraIssue(a));
        } else {
            ex.getMessage().setHeader("ServiceNowAction", "create");
            ex.getMessage().setBody(incident(a));
        }
    }

    /** Takes the key's map row for this alert, or finds why not (wait, or the ticket exists already). */
    private void claimTicket(SinkJobs.Job job, Alert a) {
        Instant now = Instant.now();
        Instant until = now.plusSeconds(120);
        String outcome = db.tx(c -> {
            record Row(String alertId, String state, String ref, String number, Instant claimedUntil) {
            }
            Row row = Db.one(c, "select alert_id, ticket_state, ticket_ref, ticket_number, claimed_until from alert_tickets"
                    + " where dedupe_key = ?", rs -> new Row(rs.getString(1), rs.getString(2), rs.getString(3),
                            rs.getString(4), Db.instant(rs, "claimed_until")), a.dedupeKey);
            if (row == null) {
                java.sql.Savepoint sp = c.setSavepoint();
                try {
                    Db.update(c, "insert into alert_tickets (dedupe_key, alert_id, ticket_system, ticket_state, claimed_until,"
                            + " updated_at) values (?, ?, ?, 'OPENING', ?, ?)", a.dedupeKey, a.id, job.sink(), until, now);
                    return "claimed";
                } catch (java.sql.SQLException e) {
                    if (!Db.isUniqueViolation(e)) {
                        throw e;
                    }
                    c.rollback(sp);
                    return "wait";
                }
            }
            if (row.alertId().equals(a.id)) {
                if (row.ref() != null) {
                    adopt(c, a, row.ref(), row.number(), job.sink());
                    return "exists";
                }
                // this alert's own job again (a retry: the job's lease lets one worker at a time run it)
                Db.update(c, "update alert_tickets set claimed_until = ?, ticket_state = 'OPENING', updated_at = ?"
                        + " where dedupe_key = ? and alert_id = ?", until, now, a.dedupeKey, a.id);
                return "claimed";
            }
            // the row belongs to an earlier episode of the key
            if ("RESOLVED".equals(row.state()) || "FAILED".equals(row.state())) {
                int n = Db.update(c, "update alert_tickets set alert_id = ?, ticket_system = ?, ticket_state = 'OPENING',"
                        + " ticket_ref = null, ticket_number = null, claimed_until = ?, updated_at = ? where dedupe_key = ?"
                        + " and alert_id = ? and ticket_state = ?", a.id, job.sink(), until, now, a.dedupeKey,
                        row.alertId(), row.state());
                return n == 1 ? "claimed" : "wait";
            }
            if ("OPEN".equals(row.state()) && row.ref() != null) {
                // its ticket was never resolved: one open ticket per key, so this episode follows the same ticket
                Db.update(c, "update alert_tickets set alert_id = ?, updated_at = ? where dedupe_key = ? and alert_id = ?",
                        a.id, now, a.dedupeKey, row.alertId());
                adopt(c, a, row.ref(), row.number(), job.sink());
                return "exists";
            }
            return row.claimedUntil() != null && row.claimedUntil().isBefore(now) && row.ref() == null
                    ? takeOver(c, a, job, row.alertId(), until, now) : "wait";
        });
        switch (outcome) {
            case "claimed" -> {
            }
            case "exists" -> throw new SinkJobs.SkipJob("the key already has an open ticket");
            default -> throw new SinkJobs.WaitJob("another worker holds the ticket of " + a.dedupeKey);
        }
    }

    private String takeOver(java.sql.Connection c, Alert a, SinkJobs.Job job, String previous, Instant until, Instant now)
            throws java.sql.SQLException {
        int n = Db.update(c, "update alert_tickets set alert_id = ?, ticket_system = ?, claimed_until = ?, updated_at = ?"
                + " where dedupe_key = ? and alert_id = ? and ticket_ref is null", a.id, job.sink(), until, now,
                a.dedupeKey, previous);
        return n == 1 ? "claimed" : "wait";
    }

    private static void adopt(java.sql.Connection c, Alert a, String ref, String number, String system)
            throws java.sql.SQLException {
        Db.update(c, "update alerts set ticket_ref = ?, ticket_number = ?, ticket_system = ?,"
                + " ticket_state = case when ticket_state = 'REQUESTED' then 'OPEN' else ticket_state end, updated_at = ?"
                + " where id = ?", ref, number, system, Instant.now(), a.id);
    }

    private void prepareResolve(SinkJobs.Job job, Alert a, Exchange ex) {
        record Row(String alertId, String state, String ref) {
        }
        Row row = db.read(c -> Db.one(c, "select alert_id, ticket_state, ticket_ref from alert_tickets where dedupe_key = ?",
                rs -> new Row(rs.getString(1), rs.getString(2), rs.getString(3)), a.dedupeKey));
        if (row == null || row.ref() == null || !row.alertId().equals(a.id)) {
            throw new SinkJobs.SkipJob("no ticket was opened for alert " + a.id);
        }
        if ("RESOLVED".equals(row.state())) {
            throw new SinkJobs.SkipJob("the ticket is resolved already");
        }
        String notes = "Resolved by the Fulfillment Hub: the alert " + a.id + " cleared"
                + (a.endsAt != null ? " at " + a.endsAt : "") + ". Host " + a.hostLabel()
                + " stays out of service until a server admin returns it.";
        if (SinkSettings.JIRA.equals(job.sink())) {
            ex.getMessage().setHeader("JiraAction", "resolve");
            ex.getMessage().setHeader("JiraIssueKey", row.ref());
        } else {
            ex.getMessage().setHeader("ServiceNowAction", "resolve");
            ex.getMessage().setHeader("ServiceNowSysId", row.ref());
        }
        ex.getMessage().setBody(notes);
    }

    // ------------------------------------------------------------------------------------------------ answers

    @Override
    @SuppressWarnings("unchecked")
    public String sent(SinkJobs.Job job, Exchange ex) {
        Object body = ex.getMessage().getBody();
        Map<String, Object> answer = body instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
        Instant now = Instant.now();
        switch (job.action()) {
            case TICKET_OPEN -> {
                String ref;
                String number;
                if (SinkSettings.JIRA.equals(job.sink())) {
                    ref = str(answer.get("key"));
                    number = ref;
                } else {
                    ref = str(answer.get("sys_id"));
                    number = str(answer.get("number"));
                }
                if (ref == null) {
                    throw new IllegalStateException("the ticketing system answered without a ticket reference");
                }
                String alertId = job.alertId();
                db.tx(c -> {
                    Db.update(c, "update alert_tickets set ticket_state = 'OPEN', ticket_ref = ?, ticket_number = ?,"
                            + " claimed_until = null, updated_at = ? where alert_id = ?", ref, number, now, alertId);
                    Db.update(c, "update alerts set ticket_ref = ?, ticket_number = ?,"
                            + " ticket_state = case when ticket_state in ('REQUESTED', 'FAILED') then 'OPEN' else ticket_state end,"
                            + " updated_at = ? where id = ?", ref, number, now, alertId);
                    Alert a = AlertStore.get(c, alertId);
                    if (a != null && Alert.RESOLVED.equals(a.status) && "OPEN".equals(a.ticket.state)) {
                        // opened late (a replayed dead letter) for an alert that has cleared since: resolve it too
                        SinkJobs.enqueue(c, "ticket.resolve:" + a.id, job.sink(), TICKET_RESOLVE, AlertPolicy.ticketOrder(a),
                                a.id, Map.of("alert_id", a.id));
                        Db.update(c, "update alerts set ticket_state = 'RESOLVE_REQUESTED', updated_at = ? where id = ?", now, a.id);
                    }
                    return null;
                });
                LOG.infof("Alert %s: %s ticket %s opened", alertId, job.sink(), number);
                return "ticket " + number + " (" + ref + ")";
            }
            case TICKET_RESOLVE -> {
                db.tx(c -> {
                    Db.update(c, "update alert_tickets set ticket_state = 'RESOLVED', updated_at = ? where alert_id = ?",
                            now, job.alertId());
                    return Db.update(c, "update alerts set ticket_state = 'RESOLVED', updated_at = ? where id = ?", now,
                            job.alertId());
                });
                return "ticket resolved";
            }
            case PAGE_TRIGGER -> {
                db.tx(c -> {
                    Db.update(c, "update alerts set page_state = case when page_state in ('REQUESTED', 'FAILED') then 'TRIGGERED'"
                            + " else page_state end, updated_at = ? where id = ?", now, job.alertId());
                    Alert a = AlertStore.get(c, job.alertId());
                    if (a != null && Alert.RESOLVED.equals(a.status) && "TRIGGERED".equals(a.page.state)) {
                        // triggered late (a replayed dead letter) for an alert that has cleared since: resolve it too
                        SinkJobs.enqueue(c, "page.resolve:" + a.id, SinkSettings.PAGERDUTY, PAGE_RESOLVE, "page:" + a.dedupeKey,
                                a.id, resolve(a.page.dedupKey));
                        Db.update(c, "update alerts set page_state = 'RESOLVE_REQUESTED', updated_at = ? where id = ?", now, a.id);
                    }
                    return null;
                });
                return "paged " + str(answer.get("dedup_key"));
            }
            case PAGE_RESOLVE -> {
                db.tx(c -> Db.update(c, "update alerts set page_state = 'RESOLVED', updated_at = ? where id = ?", now,
                        job.alertId()));
                return "page resolved";
            }
            default -> {
                return "sent";
            }
        }
    }

    @Override
    public void gaveUp(SinkJobs.Job job, String reason, boolean dead) {
        if (!dead) {
            return;
        }
        Instant now = Instant.now();
        db.tx(c -> {
            switch (job.action()) {
                case TICKET_OPEN -> {
                    Db.update(c, "update alert_tickets set ticket_state = 'FAILED', claimed_until = null, updated_at = ?"
                            + " where alert_id = ? and ticket_ref is null", now, job.alertId());
                    Db.update(c, "update alerts set ticket_state = 'FAILED', updated_at = ? where id = ?"
                            + " and ticket_state = 'REQUESTED'", now, job.alertId());
                }
                case TICKET_RESOLVE -> Db.update(c, "update alerts set ticket_state = 'RESOLVE_FAILED', updated_at = ?"
                        + " where id = ?", now, job.alertId());
                case PAGE_TRIGGER -> Db.update(c, "update alerts set page_state = 'FAILED', updated_at = ? where id = ?"
                        + " and page_state = 'REQUESTED'", now, job.alertId());
                case PAGE_RESOLVE -> Db.update(c, "update alerts set page_state = 'RESOLVE_FAILED', updated_at = ?"
                        + " where id = ?", now, job.alertId());
                default -> {
                }
            }
            return null;
        });
    }

    // ------------------------------------------------------------------------------------------------ formats

    /** The ServiceNow incident fields (the Kamelet adds nothing but authentication). */
    Map<String, Object> incident(Alert a) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("short_description", SinkJobs.bounded("[" + a.severity + "] " + a.summary + " on " + a.hostLabel(), 160));
        m.put("description", description(a));
        m.put("urgency", a.isCritical() ? "1" : "2");
        m.put("impact", a.isCritical() ? "1" : "2");
        m.put("category", "hardware");
        m.put("assignment_group", a.host.id != null ? settings.assignmentGroup() : settings.defaultGroup());
        if (a.host.id != null) {
            m.put("cmdb_ci", a.host.id);
        }
        m.put("correlation_id", SinkJobs.bounded(a.dedupeKey, 100));
        m.put("correlation_display", "Fulfillment Hub");
        return m;
    }

    /** The Jira issue fields the Kamelet wraps into {@code fields} with the project and issue type. */
    Map<String, Object> jiraIssue(Alert a) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("summary", SinkJobs.bounded("[" + a.severity + "] " + a.summary + " on " + a.hostLabel(), 250));
        m.put("description", description(a));
        List<String> labels = new ArrayList<>(List.of("fulfillment-hub", "hardware-alert",
                "severity-" + a.severity.toLowerCase(Locale.ROOT)));
        labels.add(a.host.id != null ? "host-" + a.host.id.replaceAll("[^A-Za-z0-9_.-]", "_") : "needs-triage");
        m.put("labels", labels);
        return m;
    }

    static String description(Alert a) {
        StringBuilder sb = new StringBuilder();
        sb.append("Alert ").append(a.id).append(" (").append(a.source).append(a.condition == null ? "" : ", " + a.condition)
                .append(") ").append(a.status).append(a.startsAt == null ? "" : " since " + a.startsAt).append(".\n");
        sb.append("Summary: ").append(a.summary).append('\n');
        if (a.description != null) {
            sb.append("Details: ").append(a.description).append('\n');
        }
        sb.append("Host: ").append(a.host.id != null ? a.host.id : "unknown to the inventory")
                .append(a.host.hint != null ? " (sender said: " + a.host.hint + ")" : "")
                .append(a.host.bmcAddress != null ? ", BMC " + a.host.bmcAddress : "").append('\n');
        if (a.clusterId != null) {
            sb.append("Cluster: ").append(a.clusterId).append(" (tenant ").append(a.tenant).append(")\n");
        }
        sb.append("Dedupe key: ").append(a.dedupeKey).append('\n');
        if (a.labels != null && !a.labels.isEmpty()) {
            sb.append("Labels: ");
            new TreeMap<>(a.labels).forEach((k, v) -> sb.append(k).append('=').append(v).append(' '));
            sb.append('\n');
        }
        return sb.toString();
    }

    /** A PagerDuty Events v2 trigger (the Kamelet adds the routing key). */
    static Map<String, Object> trigger(Alert a, String dedupKey) {
        Map<String, Object> payload = new LinkedHashMap<>();
        payload.put("summary", SinkJobs.bounded("[" + a.severity + "] " + a.summary + " on " + a.hostLabel(), 1024));
        payload.put("source", a.hostLabel());
        payload.put("severity", switch (a.severity) {
            case "CRITICAL" -> "critical";
            case "WARNING" -> "warning";
            default -> "info";
        });
        if (a.startsAt != null) {
            payload.put("timestamp", a.startsAt.toString());
        }
        if (a.condition != null) {
            payload.put("component", a.condition);
        }
        if (a.clusterId != null) {
            payload.put("group", a.clusterId);
        }
        payload.put("class", a.source);
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("alert_id", a.id);
        details.put("dedupe_key", a.dedupeKey);
        details.put("host_id", a.host.id);
        details.put("bmc_address", a.host.bmcAddress);
        details.put("cluster_id", a.clusterId);
        details.put("description", a.description);
        payload.put("custom_details", details);
        Map<String, Object> event = new LinkedHashMap<>();
        event.put("event_action", "trigger");
        event.put("dedup_key", dedupKey);
        event.put("client", "Fulfillment Hub");
        event.put("payload", payload);
        return event;
    }

    static Map<String, Object> resolve(String dedupKey) {
        Map<String, Object> event = new LinkedHashMap<>();
        event.put("event_action", "resolve");
        event.put("dedup_key", dedupKey);
        return event;
    }

    private static String str(Object o) {
        return o == null ? null : o.toString();
    }
}
