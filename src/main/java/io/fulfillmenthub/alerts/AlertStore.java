package io.fulfillmenthub.alerts;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.core.type.TypeReference;
import io.fulfillmenthub.http.Page;
import io.fulfillmenthub.store.Db;
import io.fulfillmenthub.store.Json;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/** The alerts table. */
@ApplicationScoped
public class AlertStore {

    @Inject
    Db db;

    public record Filter(String status, String severity, String host) {
    }

    public Alert get(String id) {
        return db.read(c -> get(c, id));
    }

    public static Alert get(Connection c, String id) throws SQLException {
        return Db.one(c, "select * from alerts where id = ?", AlertStore::map, id);
    }

    /** The newest episode of a dedupe key; null when the key was never seen. */
    public static Alert latest(Connection c, String dedupeKey) throws SQLException {
        return Db.one(c, "select * from alerts where dedupe_key = ? order by episode desc fetch first 1 rows only",
                AlertStore::map, dedupeKey);
    }

    public static void insert(Connection c, Alert a) throws SQLException {
        Db.update(c, "insert into alerts (id, dedupe_key, episode, source, condition_name, host_id, host_hint, bmc_address,"
                + " cluster_id, tenant, severity, summary, description, status, starts_at, ends_at, first_seen_at,"
                + " last_seen_at, notifications, labels, created_at, updated_at)"
                + " values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                a.id, a.dedupeKey, a.episode, a.source, a.condition, a.host.id, a.host.hint, a.host.bmcAddress,
                a.clusterId, a.tenant, a.severity, a.summary, a.description, a.status, a.startsAt, a.endsAt,
                a.firstSeenAt, a.lastSeenAt, a.notifications, Json.write(a.labels == null ? Map.of() : a.labels),
                a.createdAt, a.createdAt);
    }

    public List<Alert> list(Filter f, Page page) {
        List<Object> args = new ArrayList<>();
        String where = where(f, args);
        args.add(page.offset());
        args.add(page.limit());
        return db.read(c -> Db.list(c, "select * from alerts" + where + " order by created_at, id offset ? rows fetch next ? rows only",
                AlertStore::map, args.toArray()));
    }

    public long count(Filter f) {
        List<Object> args = new ArrayList<>();
        String where = where(f, args);
        return db.read(c -> Db.count(c, "select count(*) from alerts" + where, args.toArray()));
    }

    public long openFor(String hostId) {
        return db.read(c -> Db.count(c, "select count(*) from alerts where host_id = ? and status = 'FIRING'", hostId));
    }

    /** FIRING alerts of each of these hosts, in one query (hosts without any are absent from the map). */
    public Map<String, Long> openFor(List<String> hostIds) {
        if (hostIds.isEmpty()) {
            return Map.of();
        }
        String marks = Db.placeholders(hostIds.size());
        return db.read(c -> {
            Map<String, Long> out = new java.util.HashMap<>();
            Db.list(c, "select host_id, count(*) from alerts where status = 'FIRING' and host_id in (" + marks + ")"
                    + " group by host_id", rs -> out.put(rs.getString(1), rs.getLong(2)), hostIds.toArray());
            return out;
        });
    }

    private static String where(Filter f, List<Object> args) {
        List<String> clauses = new ArrayList<>();
        if (f.status() != null) {
            clauses.add("status = ?");
            args.add(f.status());
        }
        if (f.severity() != null) {
            clauses.add("severity = ?");
            args.add(f.severity());
        }
        if (f.host() != null) {
            clauses.add("(host_id = ? or host_hint = ? or bmc_address = ?)");
            args.add(f.host());
            args.add(f.host());
            args.add(f.host());
        }
        return clauses.isEmpty() ? "" : " where " + String.join(" and ", clauses);
    }

    static Alert map(ResultSet rs) throws SQLException {
        Alert a = new Alert();
        a.id = rs.getString("id");
        a.dedupeKey = rs.getString("dedupe_key");
        a.episode = rs.getInt("episode");
        a.source = rs.getString("source");
        a.condition = rs.getString("condition_name");
        a.host.id = rs.getString("host_id");
        a.host.hint = rs.getString("host_hint");
        a.host.bmcAddress = rs.getString("bmc_address");
        a.host.action = rs.getString("host_action");
        a.host.replacedBy = rs.getString("replaced_by");
        a.clusterId = rs.getString("cluster_id");
        a.tenant = rs.getString("tenant");
        a.severity = rs.getString("severity");
        a.summary = rs.getString("summary");
        a.description = rs.getString("description");
        a.status = rs.getString("status");
        a.startsAt = Db.instant(rs, "starts_at");
        a.endsAt = Db.instant(rs, "ends_at");
        a.firstSeenAt = Db.instant(rs, "first_seen_at");
        a.lastSeenAt = Db.instant(rs, "last_seen_at");
        a.notifications = rs.getInt("notifications");
        a.labels = Json.read(rs.getString("labels"), new TypeReference<Map<String, String>>() {
        });
        a.ticket.system = rs.getString("ticket_system");
        a.ticket.ref = rs.getString("ticket_ref");
        a.ticket.number = rs.getString("ticket_number");
        a.ticket.state = rs.getString("ticket_state");
        a.page.dedupKey = rs.getString("page_key");
        a.page.state = rs.getString("page_state");
        a.policyStatus = rs.getString("policy_status");
        a.openedEventAt = Db.instant(rs, "opened_event_at");
        a.resolvedEventAt = Db.instant(rs, "resolved_event_at");
        a.tenantNotifiedAt = Db.instant(rs, "tenant_notified_at");
        a.createdAt = Db.instant(rs, "created_at");
        return a;
    }
}
