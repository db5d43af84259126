package io.fulfillmenthub.notifications;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;
import io.fulfillmenthub.events.Outbox;
import io.fulfillmenthub.store.Db;
import io.fulfillmenthub.store.Json;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.inject.Named;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * The outbox as the notification route reads it: events after a cursor kept in {@code flow_cursors}. One replica at a
 * time reads (a lease on the cursor row, renewed at every poll); the cursor moves only after the batch was handled,
 * and only by the lease holder, so a crash or a lost lease makes the batch be handled again (the handlers are
 * idempotent: one sink job per event and channel).
 */
@ApplicationScoped
@Named("notificationFeed")
public class NotificationFeed {

    private static final Logger LOG = Logger.getLogger(NotificationFeed.class);
    public static final String CURSOR = "notifications";

    @Inject
    Db db;

    @ConfigProperty(name = "hub.notifications.lease", defaultValue = "PT30S")
    Duration lease;
    @ConfigProperty(name = "hub.notifications.batch", defaultValue = "100")
    int batchSize;

    final String owner = ManagementFactory.getRuntimeMXBean().getName() + "/" + UUID.randomUUID().toString().substring(0, 8);
    private volatile boolean leader;

    /** An event of the outbox. */
    public static class OutboxEvent {
        private final long seq;
        private final String id;
        private final String type;
        private final String tenant;
        private final String subject;
        private final JsonNode data;

        public OutboxEvent(long seq, String id, String type, String tenant, String subject, JsonNode data) {
            this.seq = seq;
            this.id = id;
            this.type = type;
            this.tenant = tenant;
            this.subject = subject;
            this.data = data;
        }

        public long getSeq() {
            return seq;
        }

        public String getId() {
            return id;
        }

        /** The CloudEvents type, e.g. {@code io.fulfillmenthub.cluster.ready}. */
        public String getType() {
            return type;
        }

        /** The type without the reverse-DNS prefix, e.g. {@code cluster.ready}. */
        public String getShortType() {
            return type.startsWith(Outbox.TYPE_PREFIX) ? type.substring(Outbox.TYPE_PREFIX.length()) : type;
        }

        public String getTenant() {
            return tenant;
        }

        public String getSubject() {
            return subject;
        }

        public JsonNode getData() {
            return data;
        }

        @Override
        public String toString() {
            return getShortType() + "#" + seq;
        }
    }

    /** One poll's worth of events. */
    public static class Batch {
        private final List<OutboxEvent> events;

        Batch(List<OutboxEvent> events) {
            this.events = events;
        }

        public List<OutboxEvent> getEvents() {
            return events;
        }

        public long getLast() {
            return events.isEmpty() ? -1 : events.get(events.size() - 1).getSeq();
        }
    }

    /** Takes or renews the lease; then the events after the cursor (none when another replica holds the lease). */
    public Batch next() {
        Instant now = Instant.now();
        int n = db.tx(c -> Db.update(c, "update flow_cursors set lease_owner = ?, lease_until = ?, updated_at = ?"
                + " where name = ? and (lease_owner = ? or lease_owner is null or lease_until < ?)",
                owner, now.plus(lease), now, CURSOR, owner, now));
        boolean lead = n == 1;
        if (lead != leader) {
            leader = lead;
            LOG.infof("Notifications: this replica %s the outbox reader", lead ? "is now" : "is no longer");
        }
        if (!lead) {
            return new Batch(List.of());
        }
        return new Batch(db.read(c -> {
            Long pos = Db.one(c, "select cursor_position from flow_cursors where name = ?", rs -> rs.getLong(1), CURSOR);
            return Db.list(c, "select seq, id, type, tenant, subject, data from events where seq > ? order by seq"
                    + " fetch first " + batchSize + " rows only",
                    rs -> new OutboxEvent(rs.getLong("seq"), rs.getString("id"), rs.getString("type"),
                            rs.getString("tenant"), rs.getString("subject"), Json.tree(Json.read(rs.getString("data"), Object.class))),
                    pos == null ? 0 : pos);
        }));
    }

    /** The batch was handled: the cursor moves past it (only if this replica still holds the lease). */
    public void done(Batch batch) {
        long last = batch.getLast();
        if (last < 0) {
            return;
        }
        int n = db.tx(c -> Db.update(c, "update flow_cursors set cursor_position = ?, updated_at = ? where name = ?"
                + " and lease_owner = ? and cursor_position < ?", last, Instant.now(), CURSOR, owner, last));
        if (n == 0) {
            LOG.debugf("notification cursor not moved to %d (lease lost or already there)", last);
        }
    }

    public long position() {
        return db.read(c -> Db.one(c, "select cursor_position from flow_cursors where name = ?", rs -> rs.getLong(1), CURSOR));
    }
}
