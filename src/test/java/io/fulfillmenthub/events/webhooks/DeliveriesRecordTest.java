package io.fulfillmenthub.events.webhooks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import io.fulfillmenthub.store.Db;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

/**
 * {@link Deliveries#recordAll} on its own (on H2, and on PostgreSQL where it writes a batch as arrays): each outcome
 * lands on its own delivery, only while this replica holds the lease, with one log row per recorded attempt and the
 * subscriptions' health. The deliveries are leased to this test's owner for an hour, so the hub's relay leaves them.
 */
@QuarkusTest
class DeliveriesRecordTest {

    static final String OWNER = "record-test";

    @Inject
    Db db;

    String subscription() {
        String id = "rec-" + UUID.randomUUID();
        Instant now = Instant.now();
        // a tenant without events: the fan-out never writes deliveries for it
        db.tx(c -> Db.update(c, "insert into event_subscriptions (id, tenant, url, event_types, secret_enc, state,"
                + " start_seq, created_at, updated_at) values (?, ?, 'http://127.0.0.1:9/x', 'cluster.created', 'x',"
                + " 'ACTIVE', 0, ?, ?)", id, "t-" + id, now, now));
        return id;
    }

    Deliveries.Job delivery(String subscription, long seq, int attempts, String owner) {
        Instant now = Instant.now();
        long id = db.tx(c -> {
            Db.update(c, "insert into webhook_deliveries (subscription_id, event_seq, event_id, event_type, subject,"
                    + " state, attempts, next_attempt_at, lease_owner, lease_until, created_at)"
                    + " values (?, ?, ?, 'io.fulfillmenthub.cluster.created', ?, 'PENDING', ?, ?, ?, ?, ?)",
                    subscription, seq, UUID.randomUUID().toString(), "subject-" + seq, attempts, now, owner,
                    now.plus(Duration.ofHours(1)), now);
            return Db.one(c, "select id from webhook_deliveries where subscription_id = ? and event_seq = ?",
                    rs -> rs.getLong(1), subscription, seq);
        });
        Subscription s = new Subscription(subscription, "t", "http://127.0.0.1:9/x", List.of("cluster.created"),
                Subscription.ACTIVE, null, 0, null, null, null, now, "x");
        return new Deliveries.Job(id, attempts, s, null);
    }

    Map<String, Object> row(String sql, Object... args) {
        return db.read(c -> Db.one(c, sql, rs -> {
            Map<String, Object> m = new HashMap<>();
            for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) {
                m.put(rs.getMetaData().getColumnLabel(i).toLowerCase(), value(rs, i));
            }
            return m;
        }, args));
    }

    static Object value(ResultSet rs, int i) throws java.sql.SQLException {
        String type = rs.getMetaData().getColumnTypeName(i).toLowerCase();
        return type.contains("timestamp") ? Db.instant(rs, i) : rs.getObject(i);
    }

    static Deliveries.Outcome status(int code) {
        return new Deliveries.Outcome(code, null, null, 7);
    }

    @Test
    void eachOutcomeLandsOnItsOwnDeliveryWhileTheLeaseIsHeld() {
        String sub = subscription();
        Deliveries.Job ok = delivery(sub, 1, 0, OWNER);
        Deliveries.Job retry = delivery(sub, 2, 2, OWNER);
        Deliveries.Job last = delivery(sub, 3, 9, OWNER);
        Deliveries.Job taken = delivery(sub, 4, 0, "another-replica");
        Deliveries.Job abandoned = delivery(sub, 5, 0, OWNER);
        Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        Instant at = now.minusMillis(50);
        List<Deliveries.Result> results = new ArrayList<>(List.of(
                new Deliveries.Result(ok, at, status(204), null),
                new Deliveries.Result(retry, at.plusMillis(1), status(503), Duration.ofSeconds(300)),
                new Deliveries.Result(last, at.plusMillis(2),
                        new Deliveries.Outcome(null, "connection failed", null, 3), null),
                new Deliveries.Result(taken, at.plusMillis(3), status(200), null),
                Deliveries.Result.abandoned(abandoned)));

        List<String> states = db.tx(c -> Deliveries.recordAll(c, OWNER, results, Duration.ofDays(5), now));

        assertEquals(java.util.Arrays.asList(Deliveries.DELIVERED, Deliveries.PENDING, Deliveries.FAILED, null,
                Deliveries.FAILED), states);
        String q = "select state, attempts, next_attempt_at, last_status, last_error, lease_owner, lease_until,"
                + " completed_at from webhook_deliveries where id = ?";
        Map<String, Object> d = row(q, ok.id());
        assertEquals("DELIVERED", d.get("state"));
        assertEquals(1, ((Number) d.get("attempts")).intValue());
        assertEquals(204, ((Number) d.get("last_status")).intValue());
        assertNull(d.get("next_attempt_at"));
        assertNull(d.get("last_error"));
        assertNull(d.get("lease_owner"));
        assertNull(d.get("lease_until"));
        assertEquals(now, d.get("completed_at"));

        d = row(q, retry.id());
        assertEquals("PENDING", d.get("state"));
        assertEquals(3, ((Number) d.get("attempts")).intValue());
        assertEquals(now.plusSeconds(300), d.get("next_attempt_at"));
        assertEquals(503, ((Number) d.get("last_status")).intValue());
        assertEquals("HTTP 503", d.get("last_error"));
        assertNull(d.get("lease_owner"));
        assertNull(d.get("completed_at"));

        d = row(q, last.id());
        assertEquals("FAILED", d.get("state"));
        assertEquals(10, ((Number) d.get("attempts")).intValue());
        assertNull(d.get("last_status"));
        assertEquals("connection failed", d.get("last_error"));
        assertNull(d.get("next_attempt_at"));
        assertEquals(now, d.get("completed_at"));

        d = row(q, taken.id());
        assertEquals("PENDING", d.get("state"), "another replica's lease: left alone");
        assertEquals(0, ((Number) d.get("attempts")).intValue());
        assertEquals("another-replica", d.get("lease_owner"));

        d = row(q, abandoned.id());
        assertEquals("FAILED", d.get("state"));
        assertEquals("not attempted: the subscription was disabled", d.get("last_error"));

        // one log row per recorded attempt, none for the delivery this replica no longer held nor the abandoned one
        assertEquals(3L, (long) db.read(c -> Db.count(c, "select count(*) from webhook_attempts where subscription_id = ?", sub)));
        String log = "select attempt, attempted_at, duration_ms, status_code, error, next_retry_at from webhook_attempts"
                + " where delivery_id = ?";
        Map<String, Object> a = row(log, ok.id());
        assertEquals(1, ((Number) a.get("attempt")).intValue());
        assertEquals(at, a.get("attempted_at"));
        assertEquals(7L, ((Number) a.get("duration_ms")).longValue());
        assertEquals(204, ((Number) a.get("status_code")).intValue());
        assertNull(a.get("error"));
        assertNull(a.get("next_retry_at"));
        a = row(log, retry.id());
        assertEquals(3, ((Number) a.get("attempt")).intValue());
        assertEquals(at.plusMillis(1), a.get("attempted_at"));
        assertEquals("HTTP 503", a.get("error"));
        assertEquals(now.plusSeconds(300), a.get("next_retry_at"));
        a = row(log, last.id());
        assertEquals(10, ((Number) a.get("attempt")).intValue());
        assertNull(a.get("status_code"));
        assertEquals("connection failed", a.get("error"));
        assertEquals(0L, (long) db.read(c -> Db.count(c, "select count(*) from webhook_attempts where delivery_id = ?", taken.id())));

        // a success, then failures: failing since the first failure after it
        Map<String, Object> s = row("select failing_since, last_success_at from event_subscriptions where id = ?", sub);
        assertEquals(at.plusMillis(1), s.get("failing_since"));
        assertEquals(now, s.get("last_success_at"));
    }

    @Test
    void successesOfSeveralSubscriptionsMarkEachHealthy() {
        String a = subscription();
        String b = subscription();
        Instant past = Instant.now().minusSeconds(3600);
        db.tx(c -> Db.update(c, "update event_subscriptions set failing_since = ? where id = ?", past, b));
        List<Deliveries.Result> results = new ArrayList<>();
        Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        for (int i = 1; i <= 3; i++) {
            results.add(new Deliveries.Result(delivery(a, i, 0, OWNER), now, status(200), null));
            results.add(new Deliveries.Result(delivery(b, i, 0, OWNER), now, status(201), null));
        }

        List<String> states = db.tx(c -> Deliveries.recordAll(c, OWNER, results, Duration.ofDays(5), now));

        assertEquals(6, states.stream().filter(Deliveries.DELIVERED::equals).count());
        for (String sub : List.of(a, b)) {
            Map<String, Object> s = row("select failing_since, last_success_at from event_subscriptions where id = ?", sub);
            assertNull(s.get("failing_since"), sub);
            assertNotNull(s.get("last_success_at"), sub);
            assertEquals(now, s.get("last_success_at"));
            assertEquals(3L, (long) db.read(c -> Db.count(c,
                    "select count(*) from webhook_deliveries where subscription_id = ? and state = 'DELIVERED'", sub)));
        }
    }
}
