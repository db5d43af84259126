package io.fulfillmenthub.events.webhooks;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import io.fulfillmenthub.store.Db;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Forgets finished webhook deliveries (DELIVERED or FAILED) and their attempt log once they are older than
 * {@code hub.events.webhooks.retention} (30 days): every delivery writes two rows, and nothing else ever reads them
 * after that. Pending deliveries are never touched. Any replica may run it: deleting the same rows twice is harmless.
 */
@ApplicationScoped
public class DeliveryRetention {
    private static final Logger LOG = Logger.getLogger(DeliveryRetention.class);

    @ConfigProperty(name = "hub.events.webhooks.retention", defaultValue = "P30D")
    Duration retention;

    @Inject
    Db db;

    @Scheduled(every = "${hub.events.webhooks.retention-check:1h}", delayed = "1m",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void pruneOld() {
        try {
            int n = prune(Instant.now().minus(retention), 1000);
            if (n > 0) {
                LOG.infof("Forgot %d webhook deliveries finished more than %s ago", n, retention);
            }
        } catch (RuntimeException e) {
            LOG.warnf("Webhook delivery retention failed, next round retries: %s", e.getMessage());
        }
    }

    /** Deletes deliveries finished before {@code cutoff}, with their attempts, {@code batch} per transaction. */
    public int prune(Instant cutoff, int batch) {
        return db.inBatches(batch, c -> {
            List<Long> ids = Db.list(c, "select id from webhook_deliveries where state <> ? and completed_at < ?"
                    + " order by id fetch first " + batch + " rows only", rs -> rs.getLong(1), Deliveries.PENDING, cutoff);
            if (ids.isEmpty()) {
                return 0;
            }
            String in = Db.placeholders(ids.size());
            Db.update(c, "delete from webhook_attempts where delivery_id in (" + in + ")", ids.toArray());
            Db.update(c, "delete from webhook_deliveries where id in (" + in + ")", ids.toArray());
            return ids.size();
        });
    }
}
