package io.fulfillmenthub.events.webhooks;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.time.Instant;
import java.util.UUID;

import io.fulfillmenthub.store.Db;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

/** Finished deliveries older than the retention go with their attempt log; pending and recent ones stay. */
@QuarkusTest
class DeliveryRetentionTest {

    @Inject
    Db db;
    @Inject
    DeliveryRetention retention;

    long delivery(String subscription, long seq, String state, Instant completed) {
        return db.tx(c -> {
            Db.update(c, "insert into webhook_deliveries (subscription_id, event_seq, event_id, event_type, subject, state,"
                    + " attempts, created_at, completed_at) values (?, ?, ?, 'io.fulfillmenthub.cluster.created', 'x', ?, 1, ?, ?)",
                    subscription, seq, UUID.randomUUID().toString(), state, completed == null ? Instant.now() : completed, completed);
            long id = Db.one(c, "select id from webhook_deliveries where subscription_id = ? and event_seq = ?",
                    rs -> rs.getLong(1), subscription, seq);
            Db.update(c, "insert into webhook_attempts (delivery_id, subscription_id, attempt, attempted_at, duration_ms, status_code)"
                    + " values (?, ?, 1, ?, 5, 204)", id, subscription, completed == null ? Instant.now() : completed);
            return id;
        });
    }

    long rows(String table, String column, long id) {
        return db.read(c -> Db.count(c, "select count(*) from " + table + " where " + column + " = ?", id));
    }

    @Test
    void oldFinishedDeliveriesAreForgottenWithTheirAttempts() {
        String sub = "r-" + UUID.randomUUID();
        Instant old = Instant.now().minus(Duration.ofDays(40));
        long oldDelivered = delivery(sub, 1, Deliveries.DELIVERED, old);
        long oldFailed = delivery(sub, 2, Deliveries.FAILED, old);
        long recent = delivery(sub, 3, Deliveries.DELIVERED, Instant.now().minus(Duration.ofDays(1)));
        long pending = delivery(sub, 4, Deliveries.PENDING, null);

        retention.prune(Instant.now().minus(Duration.ofDays(30)), 1);

        assertEquals(0, rows("webhook_deliveries", "id", oldDelivered));
        assertEquals(0, rows("webhook_attempts", "delivery_id", oldDelivered));
        assertEquals(0, rows("webhook_deliveries", "id", oldFailed));
        assertEquals(1, rows("webhook_deliveries", "id", recent));
        assertEquals(1, rows("webhook_attempts", "delivery_id", recent));
        assertEquals(1, rows("webhook_deliveries", "id", pending));
    }
}
