package io.fulfillmenthub.alerts;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.regex.Pattern;

import io.fulfillmenthub.alerts.normalize.NormalizedAlert;
import io.fulfillmenthub.clusters.Cluster;
import io.fulfillmenthub.clusters.ClusterStore;
import io.fulfillmenthub.events.Outbox;
import io.fulfillmenthub.http.ProblemException;
import io.fulfillmenthub.inventory.Host;
import io.fulfillmenthub.inventory.HostState;
import io.fulfillmenthub.inventory.Inventory;
import io.fulfillmenthub.notifications.MessageActions;
import io.fulfillmenthub.notifications.SinkJobs;
import io.fulfillmenthub.notifications.SinkSettings;
import io.fulfillmenthub.store.Db;
import io.fulfillmenthub.store.Json;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.inject.Named;
import org.jboss.logging.Logger;

/**
 * The steps the {@code alert-policy} route ({@code routes/alert-policy.yaml}) calls. {@link #apply} folds the next
 * inbox entry of a dedupe key into its alert; every other step is idempotent and driven by the alert's stored
 * state (a step already taken is skipped), so a pass that fails half-way, a crash or a second replica simply runs
 * the pass again. Calls to external systems are queued as sink jobs in the same transaction that records the step.
 */
@ApplicationScoped
@Named("alertPolicy")
public class AlertPolicy {

    private static final Logger LOG = Logger.getLogger(AlertPolicy.class);
    private static final Pattern IP = Pattern.compile("^[0-9.]+$|:");

    @Inject
    Db db;
    @Inject
    Inventory inventory;
    @Inject
    SinkSettings sinks;
    @Inject
    SinkJobs jobs;

    // ------------------------------------------------------------------------------------------------ fold

    /**
     * Folds the oldest unprocessed notification of the key into its alert: a first FIRING opens an episode, a repeat
     * refreshes it, a RESOLVED closes it. While the newest episode's steps for its current status are not all done
     * (a failed or interrupted pass), nothing new is folded: the pass finishes that episode first.
     */
    public AlertCase apply(AlertCase ac) {
        String key = ac.getDedupeKey();
        Alert latest = db.read(c -> AlertStore.latest(c, key));
        if (latest != null && !Objects.equals(latest.policyStatus, latest.status)) {
            ac.alert = latest;
            return ac;
        }
        record Entry(long id, NormalizedAlert alert) {
        }
        Entry next = db.read(c -> Db.one(c, "select id, alert from alert_inbox where dedupe_key = ? and processed_at is null"
                + " order by id fetch first 1 rows only",
                rs -> new Entry(rs.getLong(1), Json.read(rs.getString(2), NormalizedAlert.class)), key));
        if (next == null) {
            ac.alert = latest;
            return ac;
        }
        NormalizedAlert n = next.alert();
        Host host = n.status() == NormalizedAlert.Status.FIRING && (latest == null || !latest.isFiring()) ? resolveHost(n) : null;
        Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        String id = db.tx(c -> {
            if (Db.update(c, "update alert_inbox set processed_at = ? where id = ? and processed_at is null", now, next.id()) == 0) {
                return null; // another pass took it
            }
            Alert cur = AlertStore.latest(c, key);
            if (n.status() == NormalizedAlert.Status.FIRING) {
                if (cur != null && cur.isFiring()) {
                    Db.update(c, "update alerts set last_seen_at = ?, notifications = notifications + 1, updated_at = ?"
                            + " where id = ?", now, now, cur.id);
                    return cur.id;
                }
                Alert a = open(c, key, n, host, cur == null ? 1 : cur.episode + 1, now);
                AlertStore.insert(c, a);
                LOG.infof("Alert %s opened: %s %s on %s (%s)", a.id, a.severity, a.summary, a.hostLabel(), key);
                return a.id;
            }
            if (cur != null && cur.isFiring()) {
                Db.update(c, "update alerts set status = 'RESOLVED', ends_at = ?, last_seen_at = ?,"
                        + " notifications = notifications + 1, updated_at = ? where id = ?",
                        n.endsAt() != null ? n.endsAt() : now, now, now, cur.id);
                LOG.infof("Alert %s resolved (%s)", cur.id, key);
                return cur.id;
            }
            return cur == null ? null : cur.id; // resolving what is not open: nothing to do
        });
        ac.alert = id == null ? db.read(c -> AlertStore.latest(c, key)) : reload(id);
        return ac;
    }

    private Alert open(Connection c, String key, NormalizedAlert n, Host host, int episode, Instant now) throws SQLException {
        Alert a = new Alert();
        a.id = "al-" + UUID.randomUUID().toString().substring(0, 13);
        a.dedupeKey = key;
        a.episode = episode;
        a.source = n.source().id();
        a.condition = n.condition();
        a.severity = n.severity().name();
        a.status = Alert.FIRING;
        a.summary = SinkJobs.bounded(n.summary(), 1024);
        a.description = n.description();
        a.host.hint = trim(n.hostHint(), 253);
        a.host.bmcAddress = trim(n.bmcAddress(), 253);
        if (host != null) {
            a.host.id = host.id;
            a.clusterId = host.clusterId();
            if (a.clusterId != null) {
                Cluster k = ClusterStore.get(c, a.clusterId);
                a.tenant = k == null ? null : k.metadata.tenant;
            }
        }
        a.startsAt = n.startsAt();
        a.firstSeenAt = now;
        a.lastSeenAt = now;
        a.notifications = 1;
        a.labels = n.labels();
        a.createdAt = now;
        return a;
    }

    /** The inventory host the alert names: by its host hint, its BMC address, or the hint's short host name. */
    Host resolveHost(NormalizedAlert n) {
        Host h = inventory.resolve(n.hostHint(), n.bmcAddress());
        String hint = n.hostHint();
        if (h == null && hint != null && hint.contains(".") && !IP.matcher(hint).find()) {
            h = inventory.resolve(hint.substring(0, hint.indexOf('.')), null);
        }
        return h;
    }

    // ------------------------------------------------------------------------------------------------ firing

    /** Queues the ticket (ServiceNow incident or Jira issue, by HUB_TICKETS), once per alert. */
    public AlertCase openTicket(AlertCase ac) {
        Alert a = ac.alert;
        if (a == null || a.ticket.state != null) {
            return ac;
        }
        String system = sinks.ticketSystem();
        if (system == null) {
            mark(a, "ticket_state", "OFF", null);
            jobs.skipped("tickets", "ticket", "alert " + a.id);
        } else {
            db.tx(c -> {
                SinkJobs.enqueue(c, "ticket.open:" + a.id, system, AlertSinkActions.TICKET_OPEN, ticketOrder(a), a.id,
                        Map.of("alert_id", a.id));
                return Db.update(c, "update alerts set ticket_state = 'REQUESTED', ticket_system = ?, updated_at = ?"
                        + " where id = ? and ticket_state is null", system, Instant.now(), a.id);
            });
        }
        return reload(ac);
    }

    /** Queues the PagerDuty trigger (dedup_key = the alert's key), once per alert. */
    public AlertCase page(AlertCase ac) {
        Alert a = ac.alert;
        if (a == null || a.page.state != null) {
            return ac;
        }
        if (!sinks.on(SinkSettings.PAGERDUTY)) {
            mark(a, "page_state", "OFF", null);
            jobs.skipped(SinkSettings.PAGERDUTY, "page", "alert " + a.id);
            return reload(ac);
        }
        String dedup = pageKey(a);
        db.tx(c -> {
            SinkJobs.enqueue(c, "page.trigger:" + a.id, SinkSettings.PAGERDUTY, AlertSinkActions.PAGE_TRIGGER,
                    "page:" + a.dedupeKey, a.id, AlertSinkActions.trigger(a, dedup));
            return Db.update(c, "update alerts set page_state = 'REQUESTED', page_key = ?, updated_at = ?"
                    + " where id = ? and page_state is null", dedup, Instant.now(), a.id);
        });
        return reload(ac);
    }

    /**
     * Takes the host out of service for repair (MAINTENANCE) through the inventory, which first replaces it by a
     * spare when it serves a cluster and writes {@code host.offline}. Once per alert; a host already out stays as it is.
     */
    public AlertCase quarantine(AlertCase ac) {
        Alert a = ac.alert;
        if (a == null || a.host.action != null) {
            return ac;
        }
        if (a.host.id == null) {
            mark(a, "host_action", "NO_HOST", null);
            return reload(ac);
        }
        Host h = inventory.get(a.host.id);
        if (h != null && h.state() != null && h.state().outOfService()) {
            mark(a, "host_action", "ALREADY_" + h.state().name(), null);
            return reload(ac);
        }
        try {
            Inventory.Change change = inventory.setState(a.host.id, HostState.MAINTENANCE,
                    "hardware alert " + a.id + ": " + SinkJobs.bounded(a.summary, 300), "alerts");
            mark(a, "host_action", HostState.MAINTENANCE.name(), change.replacedBy());
        } catch (ProblemException e) {
            if (e.status() != 404) {
                throw e;
            }
            mark(a, "host_action", "HOST_GONE", null);
        }
        return reload(ac);
    }

    /** Writes {@code alert.opened} (once), for the provider and, when the host served a cluster, its tenant. */
    public AlertCase announceOpened(AlertCase ac) {
        Alert a = ac.alert;
        if (a == null || a.openedEventAt != null) {
            return ac;
        }
        db.tx(c -> {
            if (Db.update(c, "update alerts set opened_event_at = ?, updated_at = ? where id = ? and opened_event_at is null",
                    Instant.now(), Instant.now(), a.id) == 1) {
                Outbox.append(c, "alert.opened", a.tenant, a.id, publicView(a));
            }
            return null;
        });
        return reload(ac);
    }

    /** Mails the affected tenant (cluster contact or HUB_NOTIFY_DEFAULT_EMAIL) when mail is configured; once. */
    public AlertCase notifyTenant(AlertCase ac) {
        Alert a = ac.alert;
        if (a == null || a.tenant == null || a.tenantNotifiedAt != null) {
            return ac;
        }
        Cluster k = a.clusterId == null ? null : db.read(c -> ClusterStore.get(c, a.clusterId));
        String to = null;
        if (k != null && k.metadata.annotations != null) {
            to = k.metadata.annotations.get(io.fulfillmenthub.notifications.Notifier.CONTACT_ANNOTATION);
        }
        if (to == null || !to.contains("@")) {
            to = sinks.defaultEmail();
        }
        String recipient = to;
        String name = k == null ? a.clusterId : k.metadata.name;
        if (recipient != null && !sinks.on(SinkSettings.MAIL)) {
            jobs.skipped(SinkSettings.MAIL, "notify-tenant", "alert " + a.id);
        }
        db.tx(c -> {
            if (Db.update(c, "update alerts set tenant_notified_at = ?, updated_at = ? where id = ? and tenant_notified_at is null",
                    Instant.now(), Instant.now(), a.id) == 1 && recipient != null && sinks.on(SinkSettings.MAIL)) {
                String outcome = a.host.replacedBy != null
                        ? "It was replaced by a spare host; your cluster keeps its size."
                        : "It was taken out of service; no spare was free, so the cluster may run with one node less until one is.";
                String text = """
                        Hello,

                        a host serving your cluster "%s" (%s) reported a hardware fault: %s
                        %s
                        Nothing is needed from you. Reference: %s

                        -- Fulfillment Hub
                        """.formatted(name, a.clusterId, a.summary, outcome, a.id);
                SinkJobs.enqueue(c, "alert:" + a.id + ":tenant-mail", SinkSettings.MAIL, MessageActions.MAIL, null, a.id,
                        MessageActions.mail(recipient, "Hardware maintenance on your cluster " + name, text, null));
            }
            return null;
        });
        return reload(ac);
    }

    /**
     * Posts the alert to the chat channel (Slack), once per alert and status. Not in the default policy: an admin adds
     * it to {@code routes/alert-policy.yaml} (see docs/alerts.md).
     */
    public AlertCase postToChat(AlertCase ac) {
        Alert a = ac.alert;
        if (a == null) {
            return ac;
        }
        if (!sinks.on(SinkSettings.SLACK)) {
            jobs.skipped(SinkSettings.SLACK, "chat", "alert " + a.id);
            return ac;
        }
        String icon = a.isFiring() ? (a.isCritical() ? ":red_circle:" : ":large_yellow_circle:") : ":white_check_mark:";
        String text = icon + " " + a.severity + " " + a.status + ": " + a.summary + " on " + a.hostLabel()
                + (a.host.replacedBy != null ? " (replaced by " + a.host.replacedBy + ")" : "")
                + (a.ticket.number != null ? " - ticket " + a.ticket.number : "") + " [" + a.id + "]";
        db.tx(c -> SinkJobs.enqueue(c, "alert:" + a.id + ":chat:" + a.status, SinkSettings.SLACK, MessageActions.CHAT,
                "chat:" + a.dedupeKey, a.id, MessageActions.chat(text, null)));
        return ac;
    }

    // ------------------------------------------------------------------------------------------------ resolved

    /** Queues the ticket's resolution (same ticket, found through the key -> ticket map). */
    public AlertCase resolveTicket(AlertCase ac) {
        Alert a = ac.alert;
        if (a == null || !("REQUESTED".equals(a.ticket.state) || "OPEN".equals(a.ticket.state))) {
            return ac;
        }
        db.tx(c -> {
            SinkJobs.enqueue(c, "ticket.resolve:" + a.id, a.ticket.system, AlertSinkActions.TICKET_RESOLVE, ticketOrder(a),
                    a.id, Map.of("alert_id", a.id));
            return Db.update(c, "update alerts set ticket_state = 'RESOLVE_REQUESTED', updated_at = ? where id = ?"
                    + " and ticket_state in ('REQUESTED', 'OPEN')", Instant.now(), a.id);
        });
        return reload(ac);
    }

    /** Queues PagerDuty's resolve with the same dedup_key. */
    public AlertCase resolvePage(AlertCase ac) {
        Alert a = ac.alert;
        if (a == null || !("REQUESTED".equals(a.page.state) || "TRIGGERED".equals(a.page.state))) {
            return ac;
        }
        db.tx(c -> {
            SinkJobs.enqueue(c, "page.resolve:" + a.id, SinkSettings.PAGERDUTY, AlertSinkActions.PAGE_RESOLVE,
                    "page:" + a.dedupeKey, a.id, AlertSinkActions.resolve(a.page.dedupKey));
            return Db.update(c, "update alerts set page_state = 'RESOLVE_REQUESTED', updated_at = ? where id = ?"
                    + " and page_state in ('REQUESTED', 'TRIGGERED')", Instant.now(), a.id);
        });
        return reload(ac);
    }

    /** Writes {@code alert.resolved} (once). The host stays out of service until a server admin returns it. */
    public AlertCase announceResolved(AlertCase ac) {
        Alert a = ac.alert;
        if (a == null || a.resolvedEventAt != null) {
            return ac;
        }
        db.tx(c -> {
            if (Db.update(c, "update alerts set resolved_event_at = ?, updated_at = ? where id = ? and resolved_event_at is null",
                    Instant.now(), Instant.now(), a.id) == 1) {
                Outbox.append(c, "alert.resolved", a.tenant, a.id, publicView(a));
            }
            return null;
        });
        return reload(ac);
    }

    // ------------------------------------------------------------------------------------------------ helpers

    /** What an event says about an alert (no ticket or page references: tenants may read it). */
    static Map<String, Object> publicView(Alert a) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", a.id);
        m.put("source", a.source);
        m.put("condition", a.condition);
        m.put("severity", a.severity);
        m.put("status", a.status);
        m.put("summary", a.summary);
        m.put("host_id", a.host.id);
        m.put("cluster_id", a.clusterId);
        m.put("starts_at", a.startsAt);
        m.put("ends_at", a.endsAt);
        m.put("first_seen_at", a.firstSeenAt);
        return m;
    }

    static String ticketOrder(Alert a) {
        return "ticket:" + a.dedupeKey;
    }

    /** PagerDuty's dedup_key: the alert's dedupe key (at most 255 characters). */
    static String pageKey(Alert a) {
        return SinkJobs.bounded(a.dedupeKey, 255);
    }

    private void mark(Alert a, String column, String value, String replacedBy) {
        db.tx(c -> Db.update(c, "update alerts set " + column + " = ?" + ("host_action".equals(column) ? ", replaced_by = ?" : "")
                + ", updated_at = ? where id = ? and " + column + " is null",
                "host_action".equals(column) ? new Object[] {value, replacedBy, Instant.now(), a.id}
                        : new Object[] {value, Instant.now(), a.id}));
    }

    private AlertCase reload(AlertCase ac) {
        ac.alert = reload(ac.alert.id);
        return ac;
    }

    private Alert reload(String id) {
        return db.read(c -> AlertStore.get(c, id));
    }

    private static String trim(String s, int max) {
        return s == null || s.length() <= max ? s : s.substring(0, max);
    }
}
