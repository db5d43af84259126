package io.fulfillmenthub.events;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

import io.fulfillmenthub.store.Db;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/** Reads the outbox in cursor order. Events become visible strictly in cursor order (see {@link Outbox}). */
@ApplicationScoped
public class EventLog {

    @Inject
    Db db;

    /** The newest cursor, 0 when there is no event yet. */
    public long head() {
        return db.read(EventLog::head);
    }

    public static long head(Connection c) throws SQLException {
        Long max = Db.one(c, "select max(seq) from events", rs -> {
            long v = rs.getLong(1);
            return rs.wasNull() ? 0L : v;
        });
        return max == null ? 0 : max;
    }

    /** Every event after {@code after} (all tenants), oldest first. */
    public static List<StoredEvent> after(Connection c, long after, int limit) throws SQLException {
        return Db.list(c, "select " + StoredEvent.COLUMNS + " from events where seq > ? order by seq fetch first "
                + limit + " rows only", StoredEvent::map, after);
    }

    public List<StoredEvent> after(long after, int limit) {
        return db.read(c -> after(c, after, limit));
    }

    /**
     * A tenant's events with {@code after < seq <= upTo} (no upper bound when {@code upTo} is null) of the given full
     * types (every type when empty), oldest first.
     */
    public List<StoredEvent> forTenant(String tenant, long after, Long upTo, Collection<String> types, int limit) {
        return db.read(c -> {
            StringBuilder sql = new StringBuilder("select " + StoredEvent.COLUMNS + " from events where tenant = ? and seq > ?");
            List<Object> args = new ArrayList<>(List.of(tenant, after));
            if (upTo != null) {
                sql.append(" and seq <= ?");
                args.add(upTo);
            }
            appendTypes(sql, args, types);
            sql.append(" order by seq fetch first ").append(limit).append(" rows only");
            return Db.list(c, sql.toString(), StoredEvent::map, args.toArray());
        });
    }

    public long countForTenant(String tenant, long after, Collection<String> types) {
        return db.read(c -> {
            StringBuilder sql = new StringBuilder("select count(*) from events where tenant = ? and seq > ?");
            List<Object> args = new ArrayList<>(List.of(tenant, after));
            appendTypes(sql, args, types);
            return Db.count(c, sql.toString(), args.toArray());
        });
    }

    private static void appendTypes(StringBuilder sql, List<Object> args, Collection<String> types) {
        if (types == null || types.isEmpty()) {
            return;
        }
        sql.append(" and type in (");
        int i = 0;
        for (String t : types) {
            sql.append(i++ == 0 ? "?" : ", ?");
            args.add(t);
        }
        sql.append(")");
    }
}
