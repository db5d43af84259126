package io.fulfillmenthub.events;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.UUID;

import io.fulfillmenthub.store.Db;
import io.fulfillmenthub.store.Json;

/**
 * The transactional outbox: a state change and the event reporting it are written in the same transaction. The
 * sequence number is taken from a counter row whose lock is held until commit, so events become visible strictly in
 * cursor order and a reader that remembers the last cursor never skips one.
 */
public final class Outbox {

    /** CloudEvents {@code type} prefix: {@code io.fulfillmenthub.cluster.created}. */
    public static final String TYPE_PREFIX = "io.fulfillmenthub.";
    public static final String SOURCE = "/fulfillment-hub";

    private Outbox() {
    }

    /**
     * Appends an event in the caller's transaction.
     *
     * @param type short type such as {@code cluster.created}
     * @param tenant owning tenant (null for provider-only events)
     * @param subject the object id
     * @param data the object snapshot
     * @return the event's cursor
     */
    public static long append(Connection c, String type, String tenant, String subject, Object data) throws SQLException {
        Db.update(c, "update counters set counter_value = counter_value + 1 where name = 'events'");
        long seq = Db.one(c, "select counter_value from counters where name = 'events'", rs -> rs.getLong(1));
        Db.update(c, "insert into events (seq, id, type, tenant, subject, source, occurred_at, data) values (?, ?, ?, ?, ?, ?, ?, ?)",
                seq, UUID.randomUUID().toString(), TYPE_PREFIX + type, tenant, subject, SOURCE,
                Instant.now().truncatedTo(ChronoUnit.MILLIS), Json.write(data));
        return seq;
    }
}
