package io.fulfillmenthub.events;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;

import io.fulfillmenthub.events.webhooks.Deliveries;
import io.fulfillmenthub.store.Db;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

/**
 * Old events are forgotten once every consumer is done with them; an event a delivery still waits for stays, and so
 * do the events after it; recent events always stay.
 */
@QuarkusTest
class EventRetentionTest {

    @Inject
    Db db;
    @Inject
    EventRetention retention;

    long event(Instant occurred) {
        return db.tx(c -> {
            long seq = Outbox.append(c, "cluster.created", "retention-" + UUID.randomUUID(), "x", Map.of("k", 1));
            Db.update(c, "update events set occurred_at = ? where seq = ?", occurred, seq);
            return seq;
        });
    }

    boolean exists(long seq) {
        return db.read(c -> Db.count(c, "select count(*) from events where seq = ?", seq)) == 1;
    }

    long cursor(String table, String column, String name) {
        return db.read(c -> Db.one(c, "select " + column + " from " + table + " where name = ?", rs -> rs.getLong(1), name));
    }

    @Test
    void oldEventsGoOnceNoConsumerNeedsThem() {
        Instant old = Instant.now().minus(Duration.ofDays(100));
        long first = event(old);
        long awaited = event(old);
        long third = event(old);
        long recent = event(Instant.now().minus(Duration.ofDays(1)));
        // the relays pass them (they run in this hub)
        await().atMost(Duration.ofSeconds(60)).until(() -> cursor("relay_cursors", "cursor_value", "webhooks") >= recent
                && cursor("flow_cursors", "cursor_position", "notifications") >= recent);
        String sub = "r-" + UUID.randomUUID();
        db.tx(c -> Db.update(c, "insert into webhook_deliveries (subscription_id, event_seq, event_id, event_type, subject,"
                + " state, attempts, created_at) values (?, ?, ?, ?, 'x', ?, 0, ?)", sub, awaited, UUID.randomUUID().toString(),
                EventTypes.fullType("cluster.created"), Deliveries.PENDING, Instant.now()));

        retention.prune(Instant.now().minus(Duration.ofDays(90)), 1);

        assertEquals(false, exists(first), "old and passed by every consumer");
        assertEquals(true, exists(awaited), "a delivery of it is pending");
        assertEquals(true, exists(third), "after the pending one");
        assertEquals(true, exists(recent));

        db.tx(c -> Db.update(c, "update webhook_deliveries set state = ?, completed_at = ? where subscription_id = ?",
                Deliveries.DELIVERED, Instant.now(), sub));
        retention.prune(Instant.now().minus(Duration.ofDays(90)), 2);

        assertEquals(false, exists(awaited));
        assertEquals(false, exists(third));
        assertEquals(true, exists(recent), "younger than the retention");
    }
}
