package io.fulfillmenthub.events;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import io.fulfillmenthub.events.kafka.KafkaRelay;
import io.fulfillmenthub.events.webhooks.Deliveries;
import io.fulfillmenthub.store.Db;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Forgets events older than {@code hub.events.retention} (90 days), but only those every consumer is done with: the
 * webhook relay, the notifications feed and (when Kafka is on) the Kafka relay must all have passed them, and no
 * webhook delivery of them may still be pending. So a subscriber or a broker that is down for longer than the
 * retention holds the events back instead of losing them. Any replica may run it: the bound is read and the rows
 * deleted in one transaction, and deleting below committed cursors cannot race a relay.
 */
@ApplicationScoped
public class EventRetention {
    private static final Logger LOG = Logger.getLogger(EventRetention.class);

    @ConfigProperty(name = "hub.events.retention", defaultValue = "P90D")
    Duration retention;

    @Inject
    Db db;
    @Inject
    KafkaRelay kafka;

    @Scheduled(every = "${hub.events.retention-check:1h}", delayed = "2m",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void pruneOld() {
        try {
            int n = prune(Instant.now().minus(retention), 5000);
            if (n > 0) {
                LOG.infof("Forgot %d events older than %s", n, retention);
            }
        } catch (RuntimeException e) {
            LOG.warnf("Event retention failed, next round retries: %s", e.getMessage());
        }
    }

    /** Deletes events that occurred before {@code cutoff} and that no consumer needs, {@code batch} per transaction. */
    public int prune(Instant cutoff, int batch) {
        return db.inBatches(batch, c -> {
            long bound = bound(c, cutoff);
            List<Long> seqs = Db.list(c, "select seq from events where seq <= ? order by seq fetch first " + batch
                    + " rows only", rs -> rs.getLong(1), bound);
            if (seqs.isEmpty()) {
                return 0;
            }
            return Db.update(c, "delete from events where seq >= ? and seq <= ?", seqs.get(0), seqs.get(seqs.size() - 1));
        });
    }

    /** The highest sequence number that may go: old enough, and behind every consumer. */
    private long bound(Connection c, Instant cutoff) throws SQLException {
        Long oldEnough = Db.one(c, "select max(seq) from events where occurred_at < ?", rs -> rs.getObject(1, Long.class),
                cutoff);
        if (oldEnough == null) {
            return 0;
        }
        // every outbox reader: the webhook relay, Kafka's when it is on, and the flows that read events (notifications)
        List<Long> cursors = new ArrayList<>(Db.list(c, "select cursor_value from relay_cursors where name = ? or name = ?",
                rs -> rs.getLong(1), Deliveries.CURSOR, kafka.enabled() ? KafkaRelay.CURSOR : Deliveries.CURSOR));
        cursors.addAll(Db.list(c, "select cursor_position from flow_cursors", rs -> rs.getLong(1)));
        long bound = oldEnough;
        for (long cursor : cursors) {
            bound = Math.min(bound, cursor);
        }
        Long pending = Db.one(c, "select min(event_seq) from webhook_deliveries where state = ?",
                rs -> rs.getObject(1, Long.class), Deliveries.PENDING);
        if (pending != null) {
            bound = Math.min(bound, pending - 1);
        }
        return bound;
    }
}
