package io.fulfillmenthub.events.webhooks;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.fulfillmenthub.events.EventLog;
import io.fulfillmenthub.events.EventTypes;
import io.fulfillmenthub.events.Outbox;
import io.fulfillmenthub.events.StoredEvent;
import io.fulfillmenthub.store.Db;

/**
 * The webhook delivery table: fan-out from the outbox, claiming with leases, and recording outcomes. Every method is
 * safe with several replicas on one database.
 */
public final class Deliveries {

    public static final String PENDING = "PENDING";
    public static final String DELIVERED = "DELIVERED";
    public static final String FAILED = "FAILED";

    static final String CURSOR = "webhooks";

    private Deliveries() {
    }

    /**
     * Reads up to {@code batch} events after the relay cursor and writes one delivery per matching active
     * subscription of the event's tenant, then advances the cursor, all in the caller's transaction. The cursor row
     * is locked ({@code FOR UPDATE SKIP LOCKED}): while one replica fans out, the others skip.
     *
     * @return events read, or -1 when another replica holds the cursor
     */
    public static int fanOut(Connection c, int batch, Instant now) throws SQLException {
        Long cursor = Db.one(c, "select cursor_value from relay_cursors where name = ? for update skip locked",
                rs -> rs.getLong(1), CURSOR);
        if (cursor == null) {
            return -1;
        }
        List<StoredEvent> events = EventLog.after(c, cursor, batch);
        if (events.isEmpty()) {
            return 0;
        }
        List<Subscription> active = Db.list(c, "select " + Subscription.COLUMNS + " from event_subscriptions"
                + " where state = ?", Subscription::map, Subscription.ACTIVE);
        Map<String, List<Subscription>> byTenant = new java.util.HashMap<>();
        for (Subscription s : active) {
            byTenant.computeIfAbsent(s.tenant(), k -> new ArrayList<>()).add(s);
        }
        for (StoredEvent e : events) {
            if (e.tenant() == null) {
                continue;
            }
            String type = EventTypes.shortType(e.type());
            for (Subscription s : byTenant.getOrDefault(e.tenant(), List.of())) {
                if (e.seq() > s.startSeq() && type != null && s.wants(type)) {
                    Db.update(c, "insert into webhook_deliveries (subscription_id, event_seq, event_id, event_type,"
                            + " subject, state, attempts, next_attempt_at, created_at) values (?, ?, ?, ?, ?, ?, 0, ?, ?)",
                            s.id(), e.seq(), e.id(), e.type(), e.subject(), PENDING, now, now);
                }
            }
        }
        Db.update(c, "update relay_cursors set cursor_value = ?, updated_at = ? where name = ?",
                events.get(events.size() - 1).seq(), now, CURSOR);
        return events.size();
    }

    /** A due delivery that is first in line for its (subscription, subject). */
    public record Candidate(long id, String subscriptionId) {
    }

    /**
     * Due deliveries that are at the head of their (subscription, subject) line: nothing earlier for the same object
     * is still pending, so events of one cluster reach a subscriber in order. Subscriptions in {@code busy} (already
     * sending as much as they may on this replica) are left out, so their backlog cannot crowd out the others.
     */
    public static List<Candidate> candidates(Connection c, Instant now, int max, java.util.Collection<String> busy)
            throws SQLException {
        List<Object> args = new ArrayList<>(List.of(now, now));
        StringBuilder skip = new StringBuilder();
        if (!busy.isEmpty()) {
            skip.append(" and d.subscription_id not in (");
            int i = 0;
            for (String id : busy) {
                skip.append(i++ == 0 ? "?" : ", ?");
                args.add(id);
            }
            skip.append(")");
        }
        return Db.list(c, "select d.id, d.subscription_id from webhook_deliveries d"
                + " where d.state = 'PENDING' and d.next_attempt_at <= ? and (d.lease_until is null or d.lease_until < ?)"
                + skip
                + " and not exists (select 1 from webhook_deliveries e where e.subscription_id = d.subscription_id"
                + " and e.subject = d.subject and e.state = 'PENDING' and e.event_seq < d.event_seq)"
                + " order by d.next_attempt_at, d.id fetch first " + max + " rows only",
                rs -> new Candidate(rs.getLong(1), rs.getString(2)), args.toArray());
    }

    /** Takes a delivery for {@code lease}; false when another replica was quicker. */
    public static boolean claim(Connection c, long id, String owner, Instant now, Duration lease) throws SQLException {
        return Db.update(c, "update webhook_deliveries set lease_owner = ?, lease_until = ? where id = ? and state = 'PENDING'"
                + " and (lease_until is null or lease_until < ?)", owner, now.plus(lease), id, now) == 1;
    }

    /** What one attempt needs: the delivery, its subscription and its event. */
    public record Job(long id, int attempts, Subscription subscription, StoredEvent event) {
    }

    public static Job job(Connection c, long id, String owner) throws SQLException {
        record Row(long id, int attempts, String subscriptionId, long seq) {
        }
        Row r = Db.one(c, "select id, attempts, subscription_id, event_seq from webhook_deliveries"
                + " where id = ? and state = 'PENDING' and lease_owner = ?",
                rs -> new Row(rs.getLong(1), rs.getInt(2), rs.getString(3), rs.getLong(4)), id, owner);
        if (r == null) {
            return null;
        }
        Subscription s = SubscriptionApi.get(c, r.subscriptionId());
        StoredEvent e = Db.one(c, "select " + StoredEvent.COLUMNS + " from events where seq = ?", StoredEvent::map, r.seq());
        return s == null || e == null ? null : new Job(r.id(), r.attempts(), s, e);
    }

    /** The result of one HTTP attempt. */
    public record Outcome(Integer status, String error, Duration retryAfter, long durationMs) {

        public boolean success() {
            return status != null && status >= 200 && status < 300;
        }

        public boolean gone() {
            return status != null && status == 410;
        }

        public String describe() {
            return error != null ? error : "HTTP " + status;
        }
    }

    /**
     * Records an attempt in the caller's transaction: the log row, the delivery's new state, and the subscription's
     * health (a 410 or failing past {@code disableAfter} disables it and appends {@code subscription.disabled}).
     *
     * @param nextGap the gap before the next attempt, or null when the schedule is exhausted
     * @return the delivery's new state, or null when this replica no longer held the delivery
     */
    public static String record(Connection c, Job job, String owner, Instant at, Outcome o, Duration nextGap,
            Duration disableAfter, Instant now) throws SQLException {
        int attempt = job.attempts() + 1;
        String state;
        Instant next = null;
        if (o.success()) {
            state = DELIVERED;
        } else if (o.gone() || nextGap == null) {
            state = FAILED;
        } else {
            state = PENDING;
            next = now.plus(nextGap);
        }
        String error = o.success() ? null : truncate(o.describe(), 1000);
        int n = Db.update(c, "update webhook_deliveries set state = ?, attempts = ?, next_attempt_at = ?, last_status = ?,"
                + " last_error = ?, lease_owner = null, lease_until = null, completed_at = ?"
                + " where id = ? and lease_owner = ? and state = 'PENDING'",
                state, attempt, next, o.status(), error, PENDING.equals(state) ? null : now, job.id(), owner);
        if (n == 0) {
            return null;
        }
        Db.update(c, "insert into webhook_attempts (delivery_id, subscription_id, attempt, attempted_at, duration_ms,"
                + " status_code, error, next_retry_at) values (?, ?, ?, ?, ?, ?, ?, ?)",
                job.id(), job.subscription().id(), attempt, at, o.durationMs(), o.status(), error, next);
        Subscription s = job.subscription();
        if (o.success()) {
            Db.update(c, "update event_subscriptions set failing_since = null, last_success_at = ?, updated_at = ?"
                    + " where id = ?", now, now, s.id());
        } else if (o.gone()) {
            disable(c, s.id(), "the endpoint answered 410 Gone", now);
        } else {
            Db.update(c, "update event_subscriptions set failing_since = coalesce(failing_since, ?), updated_at = ?"
                    + " where id = ?", at, now, s.id());
            Instant since = Db.one(c, "select failing_since from event_subscriptions where id = ?",
                    rs -> Db.instant(rs, "failing_since"), s.id());
            if (since != null && !since.plus(disableAfter).isAfter(now)) {
                disable(c, s.id(), "the endpoint has been failing since " + since + " (" + o.describe() + ")", now);
            }
        }
        return state;
    }

    /** A delivery that cannot be attempted any more (subscription disabled): failed and kept. */
    public static void abandon(Connection c, long id, String owner, String reason, Instant now) throws SQLException {
        Db.update(c, "update webhook_deliveries set state = 'FAILED', last_error = ?, lease_owner = null, lease_until = null,"
                + " completed_at = ? where id = ? and lease_owner = ? and state = 'PENDING'", truncate(reason, 1000), now,
                id, owner);
    }

    /**
     * Disables an active subscription, gives up its pending deliveries (kept as FAILED) and tells the owner with a
     * {@code subscription.disabled} event through the outbox. No-op when it is not active any more.
     */
    public static boolean disable(Connection c, String id, String reason, Instant now) throws SQLException {
        int n = Db.update(c, "update event_subscriptions set state = ?, state_reason = ?, disabled_at = ?, updated_at = ?"
                + " where id = ? and state = ?", Subscription.DISABLED, truncate(reason, 500), now, now, id,
                Subscription.ACTIVE);
        if (n == 0) {
            return false;
        }
        Db.update(c, "update webhook_deliveries set state = 'FAILED', last_error = ?, lease_owner = null, lease_until = null,"
                + " completed_at = ? where subscription_id = ? and state = 'PENDING'",
                truncate("not attempted: the subscription was disabled", 1000), now, id);
        Subscription s = SubscriptionApi.get(c, id);
        Outbox.append(c, EventTypes.SUBSCRIPTION_DISABLED, s.tenant(), s.id(), SubscriptionView.of(s));
        return true;
    }

    static String truncate(String s, int max) {
        return s == null || s.length() <= max ? s : s.substring(0, max);
    }
}
