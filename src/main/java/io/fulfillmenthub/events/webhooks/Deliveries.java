package io.fulfillmenthub.events.webhooks;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.ToIntFunction;

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

    public static final String CURSOR = "webhooks";

    private Deliveries() {
    }

    /**
     * Reads up to {@code batch} events after the relay cursor and writes one delivery per matching active
     * subscription of the event's tenant, then advances the cursor, all in the caller's transaction. The cursor row
     * is locked ({@code FOR UPDATE SKIP LOCKED}): while one replica fans out, the others skip. Set-based: one
     * {@code INSERT ... SELECT} for the whole batch of events (subscription's tenant, types, and start cursor).
     *
     * @return events read, or -1 when another replica holds the cursor
     */
    public static int fanOut(Connection c, int batch, Instant now) throws SQLException {
        Long cursor = Db.one(c, "select cursor_value from relay_cursors where name = ? for update skip locked",
                rs -> rs.getLong(1), CURSOR);
        if (cursor == null) {
            return -1;
        }
        // seq is gap-free and visible in order (Outbox): the batch is the range (cursor, upTo]
        long[] range = Db.one(c, "select count(*), max(seq) from (select seq from events where seq > ? order by seq"
                + " fetch first " + batch + " rows only) b", rs -> new long[] {rs.getLong(1), rs.getLong(2)}, cursor);
        if (range == null || range[0] == 0) {
            return 0;
        }
        long upTo = range[1];
        Db.update(c, "insert into webhook_deliveries (subscription_id, event_seq, event_id, event_type, subject, state,"
                + " attempts, next_attempt_at, created_at)"
                + " select s.id, e.seq, e.id, e.type, e.subject, 'PENDING', 0, ?, ?"
                + " from events e join event_subscriptions s on s.tenant = e.tenant"
                + " where e.seq > ? and e.seq <= ? and s.state = ? and e.seq > s.start_seq"
                + " and e.type like '" + Outbox.TYPE_PREFIX + "%'"
                + " and (',' || s.event_types || ',') like ('%,' || substring(e.type from "
                + (Outbox.TYPE_PREFIX.length() + 1) + ") || ',%')"
                + " order by e.seq, s.id",
                now, now, cursor, upTo, Subscription.ACTIVE);
        Db.update(c, "update relay_cursors set cursor_value = ?, updated_at = ? where name = ?", upTo, now, CURSOR);
        return (int) range[0];
    }

    /** What one attempt needs: the delivery, its subscription and its event (either null when gone meanwhile). */
    public record Job(long id, int attempts, Subscription subscription, StoredEvent event) {
    }

    /** What {@link #claim} took: the jobs, and whether due deliveries were left for lack of per-subscription room. */
    public record Claimed(List<Job> jobs, boolean limited) {
    }

    /**
     * Claims, in the caller's transaction, up to {@code max} due deliveries that are at the head of their
     * (subscription, subject) line: nothing earlier for the same object is still pending (sent, being sent or waiting
     * for a retry), so events of one cluster reach a subscriber in order. One statement picks and locks the
     * candidates ({@code FOR UPDATE SKIP LOCKED}: rows another replica is claiming right now are skipped, not
     * waited for), one statement leases the chosen ones. At most {@code room.applyAsInt(subscription)} are taken per
     * subscription, and subscriptions in {@code busy} (no room at all) are left out of the query, so one endpoint's
     * backlog cannot crowd out the others. Returns the jobs with their subscription and event loaded.
     */
    public static Claimed claim(Connection c, String owner, Instant now, Duration lease, int max,
            Collection<String> busy, ToIntFunction<String> room) throws SQLException {
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
        record Row(long id, String subscriptionId, int attempts, long seq) {
        }
        boolean pg = postgres(c);
        if (pg) {
            // the claim walks webhook_deliveries_next in due order and stops after the batch (see planWithout)
            planWithout(c, "seqscan", "sort");
        }
        int fetch = Math.min(Math.max(max * 2, 16), 1000); // slack for rows left out by the per-subscription limit
        List<Row> rows = Db.list(c, "select d.id, d.subscription_id, d.attempts, d.event_seq from webhook_deliveries d"
                + " where d.state = 'PENDING' and d.next_attempt_at <= ? and (d.lease_until is null or d.lease_until < ?)"
                + skip
                + " and not exists (select 1 from webhook_deliveries e where e.subscription_id = d.subscription_id"
                + " and e.subject = d.subject and e.state = 'PENDING' and e.event_seq < d.event_seq)"
                + " order by d.next_attempt_at, d.id fetch first " + fetch + " rows only for update skip locked",
                rs -> new Row(rs.getLong(1), rs.getString(2), rs.getInt(3), rs.getLong(4)), args.toArray());
        List<Row> chosen = new ArrayList<>();
        Map<String, Integer> taken = new HashMap<>();
        boolean limited = false;
        for (Row r : rows) {
            if (chosen.size() >= max) {
                break;
            }
            int t = taken.getOrDefault(r.subscriptionId(), 0);
            if (t >= room.applyAsInt(r.subscriptionId())) {
                limited = true;
                continue;
            }
            taken.put(r.subscriptionId(), t + 1);
            chosen.add(r);
        }
        if (chosen.isEmpty()) {
            return new Claimed(List.of(), limited);
        }
        if (pg) {
            // one statement text whatever the batch size: parsed once per connection, not once per size
            try (PreparedStatement ps = c.prepareStatement("update webhook_deliveries set lease_owner = ?,"
                    + " lease_until = ? where id = any(?)")) {
                Db.bind(ps, owner, now.plus(lease));
                ps.setArray(3, c.createArrayOf("bigint", chosen.stream().map(Row::id).toArray(Long[]::new)));
                ps.executeUpdate();
            }
        } else {
            List<Object> lease1 = new ArrayList<>(List.of(owner, now.plus(lease)));
            chosen.forEach(r -> lease1.add(r.id()));
            Db.update(c, "update webhook_deliveries set lease_owner = ?, lease_until = ? where id in ("
                    + Db.placeholders(chosen.size()) + ")", lease1.toArray());
        }
        Map<String, Subscription> subs = new HashMap<>();
        for (Subscription s : Db.list(c, "select " + Subscription.COLUMNS + " from event_subscriptions where id in ("
                + Db.placeholders(taken.size()) + ")", Subscription::map, taken.keySet().toArray())) {
            subs.put(s.id(), s);
        }
        Map<Long, StoredEvent> events = new HashMap<>();
        Object[] seqs = chosen.stream().map(Row::seq).distinct().toArray();
        for (StoredEvent e : Db.list(c, "select " + StoredEvent.COLUMNS + " from events where seq in ("
                + Db.placeholders(seqs.length) + ")", StoredEvent::map, seqs)) {
            events.put(e.seq(), e);
        }
        List<Job> jobs = new ArrayList<>(chosen.size());
        for (Row r : chosen) {
            jobs.add(new Job(r.id(), r.attempts(), subs.get(r.subscriptionId()), events.get(r.seq())));
        }
        return new Claimed(jobs, limited);
    }


    /**
     * PostgreSQL only: keeps the planner off these plan node kinds ({@code enable_<kind> = off}) for the rest of the
     * caller's transaction ({@code SET LOCAL}), whatever the statistics say. The claim uses it to walk
     * {@code webhook_deliveries_next} in due order and stop after the batch: a burst (2,000 events to 10 subscribers
     * in one commit) fills the table before autovacuum has analyzed it; the planner then believed "2 rows are due",
     * read every row, ran the head-of-line check for each (17,000 index probes) and sorted them, 60–120 ms per claim
     * of at most 128: that, not HTTP, held the relay near 1,100 deliveries/s. The walk costs about 1 ms for any
     * backlog. The recorder's update uses it for the same reason ({@link #finishAll}).
     */
    static void planWithout(Connection c, String... kinds) throws SQLException {
        StringBuilder sql = new StringBuilder();
        for (String kind : kinds) {
            sql.append("set local enable_").append(kind).append(" = off;");
        }
        try (Statement st = c.createStatement()) {
            st.execute(sql.toString());
        }
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
     * One finished attempt to record: the job, when it was made, its outcome and the gap before the next attempt
     * (null when that was the last one). {@code outcome == null} means not attempted: the subscription was disabled.
     */
    public record Result(Job job, Instant at, Outcome outcome, Duration nextGap) {

        static Result abandoned(Job job) {
            return new Result(job, null, null, null);
        }

        boolean attempted() {
            return outcome != null;
        }
    }

    /**
     * Records an attempt in the caller's transaction (see {@link #recordAll}).
     *
     * @return the delivery's new state, or null when this replica no longer held the delivery
     */
    public static String record(Connection c, Job job, String owner, Instant at, Outcome o, Duration nextGap,
            Duration disableAfter, Instant now) throws SQLException {
        return recordAll(c, owner, List.of(new Result(job, at, o, nextGap)), disableAfter, now).get(0);
    }

    /**
     * Records many attempts in the caller's transaction, one statement per kind of row (PostgreSQL: the rows as
     * arrays; H2: a JDBC batch): each delivery's new state
     * (only while this replica still holds it), one log row per attempt, and each subscription's health once per
     * batch, in results order (a success clears {@code failing_since}, a failure after it sets it; a 410 or failing
     * past {@code disableAfter} disables the subscription and appends {@code subscription.disabled}). Subscriptions
     * are touched in id order, so two replicas recording at once cannot deadlock on them.
     *
     * @return per result, the delivery's new state, or null when this replica no longer held the delivery
     */
    public static List<String> recordAll(Connection c, String owner, List<Result> results, Duration disableAfter,
            Instant now) throws SQLException {
        String[] states = new String[results.size()];
        Instant[] nexts = new Instant[results.size()];
        boolean anyAbandoned = false;
        boolean pg = postgres(c);
        List<Integer> attempted = new ArrayList<>(results.size());
        for (int i = 0; i < results.size(); i++) {
            Result r = results.get(i);
            if (!r.attempted()) {
                anyAbandoned = true;
                continue;
            }
            Outcome o = r.outcome();
            if (o.success()) {
                states[i] = DELIVERED;
            } else if (o.gone() || r.nextGap() == null) {
                states[i] = FAILED;
            } else {
                states[i] = PENDING;
                nexts[i] = now.plus(r.nextGap());
            }
            attempted.add(i);
        }
        if (!attempted.isEmpty()) {
            if (pg) {
                finishAll(c, owner, results, attempted, states, nexts, now);
            } else {
                try (PreparedStatement ps = c.prepareStatement(FINISH_ONE)) {
                    for (int i : attempted) {
                        Result r = results.get(i);
                        Outcome o = r.outcome();
                        Db.bind(ps, states[i], r.job().attempts() + 1, nexts[i], o.status(), error(o),
                                PENDING.equals(states[i]) ? null : now, r.job().id(), owner);
                        ps.addBatch();
                    }
                    int[] counts = ps.executeBatch();
                    for (int k = 0; k < attempted.size(); k++) {
                        if (counts[k] == 0) {
                            states[attempted.get(k)] = null; // no longer ours (lease ran out and another replica took it, or deleted)
                        }
                    }
                }
            }
        }
        if (anyAbandoned) {
            try (PreparedStatement ps = c.prepareStatement("update webhook_deliveries set state = 'FAILED',"
                    + " next_attempt_at = null, last_error = ?, lease_owner = null, lease_until = null, completed_at = ?"
                    + " where id = ? and lease_owner = ? and state = 'PENDING'")) {
                List<Integer> idx = new ArrayList<>();
                for (int i = 0; i < results.size(); i++) {
                    if (!results.get(i).attempted()) {
                        Db.bind(ps, "not attempted: the subscription was disabled", now, results.get(i).job().id(), owner);
                        ps.addBatch();
                        idx.add(i);
                    }
                }
                int[] counts = ps.executeBatch();
                for (int k = 0; k < idx.size(); k++) {
                    states[idx.get(k)] = counts[k] == 0 ? null : FAILED;
                }
            }
        }
        // the attempt log, and each subscription's health in results order
        Map<String, Health> health = new TreeMap<>();
        List<Integer> logged = new ArrayList<>(attempted.size());
        for (int i : attempted) {
            if (states[i] != null) {
                logged.add(i);
                Result r = results.get(i);
                health.computeIfAbsent(r.job().subscription().id(), k -> new Health()).add(r.at(), r.outcome());
            }
        }
        if (!logged.isEmpty()) {
            if (pg) {
                logAll(c, results, logged, nexts);
            } else {
                try (PreparedStatement ps = c.prepareStatement("insert into webhook_attempts (delivery_id, subscription_id,"
                        + " attempt, attempted_at, duration_ms, status_code, error, next_retry_at)"
                        + " values (?, ?, ?, ?, ?, ?, ?, ?)")) {
                    for (int i : logged) {
                        Result r = results.get(i);
                        Outcome o = r.outcome();
                        Db.bind(ps, r.job().id(), r.job().subscription().id(), r.job().attempts() + 1, r.at(),
                                o.durationMs(), o.status(), error(o), nexts[i]);
                        ps.addBatch();
                    }
                    ps.executeBatch();
                }
            }
        }
        // the common case, every subscription of the batch only succeeded: one statement for all of them (its index
        // scan takes the rows in id order), which writes each row at most once a second (a busy subscription's row is
        // hot at thousands of deliveries/s); otherwise one statement each, in id order
        List<String> healthy = new ArrayList<>();
        boolean allHealthy = true;
        for (Map.Entry<String, Health> e : health.entrySet()) {
            if (e.getValue().success && e.getValue().failingSince == null) {
                healthy.add(e.getKey());
            } else {
                allHealthy = false;
            }
        }
        if (allHealthy && !healthy.isEmpty()) {
            List<Object> args = new ArrayList<>(List.of(now, now));
            args.addAll(healthy);
            args.add(now.minusSeconds(1));
            Db.update(c, "update event_subscriptions set failing_since = null, last_success_at = ?, updated_at = ?"
                    + " where id in (" + Db.placeholders(healthy.size()) + ") and (failing_since is not null"
                    + " or last_success_at is null or last_success_at < ?)", args.toArray());
        }
        for (Map.Entry<String, Health> e : health.entrySet()) {
            String id = e.getKey();
            Health h = e.getValue();
            if (h.success) {
                if (h.failingSince == null && !allHealthy) {
                    Db.update(c, "update event_subscriptions set failing_since = null, last_success_at = ?, updated_at = ?"
                            + " where id = ? and (failing_since is not null or last_success_at is null"
                            + " or last_success_at < ?)", now, now, id, now.minusSeconds(1));
                } else if (h.failingSince != null) {
                    Db.update(c, "update event_subscriptions set failing_since = ?, last_success_at = ?, updated_at = ?"
                            + " where id = ?", h.failingSince, now, now, id);
                }
            } else if (h.failingSince != null) {
                Db.update(c, "update event_subscriptions set failing_since = ?, updated_at = ?"
                        + " where id = ? and failing_since is null", h.failingSince, now, id);
            }
            if (h.gone) {
                disable(c, id, "the endpoint answered 410 Gone", now);
            } else if (h.failingSince != null) {
                Instant since = Db.one(c, "select failing_since from event_subscriptions where id = ?",
                        rs -> Db.instant(rs, "failing_since"), id);
                if (since != null && !since.plus(disableAfter).isAfter(now)) {
                    disable(c, id, "the endpoint has been failing since " + since + " (" + h.lastFailure.describe() + ")",
                            now);
                }
            }
        }
        return Arrays.asList(states);
    }

    /** A delivery's outcome, one row at a time (H2: a JDBC batch of it). */
    private static final String FINISH_ONE = "update webhook_deliveries set state = ?, attempts = ?,"
            + " next_attempt_at = ?, last_status = ?, last_error = ?, lease_owner = null, lease_until = null,"
            + " completed_at = ? where id = ? and lease_owner = ? and state = 'PENDING'";

    /**
     * PostgreSQL: every attempted delivery's outcome in one statement, the rows passed as arrays ({@code unnest}),
     * only where this replica still holds the lease. One statement is planned and run once per batch; a JDBC batch of
     * single-row updates is planned and run once per row ({@code plan_cache_mode = force_custom_plan}). Rows are
     * taken in id order. A delivery not updated (lease lost, or deleted) gets a null state.
     *
     * <p>The plan is pinned to "for each row of the batch, its primary key" (this transaction only), whatever the
     * statistics say: right after a burst the table has not been analyzed, and the planner, believing few rows
     * pending, read all 20,000 of them per batch (a hash join, or the pending index with {@code state = 'PENDING'}:
     * 26 ms to 2 s per batch of 200, against 4 ms). For the same reason the statement has no
     * {@code state = 'PENDING'} condition, which would let the planner pick the pending-only index: a lease is only
     * ever set on a pending delivery, and every change out of PENDING clears it, so "this replica holds the lease"
     * already means "pending".
     */
    private static void finishAll(Connection c, String owner, List<Result> results, List<Integer> attempted,
            String[] states, Instant[] nexts, Instant now) throws SQLException {
        int n = attempted.size();
        Long[] ids = new Long[n];
        String[] st = new String[n];
        Integer[] attempts = new Integer[n];
        String[] next = new String[n];
        Integer[] status = new Integer[n];
        String[] errors = new String[n];
        String[] completed = new String[n];
        Map<Long, Integer> index = new HashMap<>();
        for (int k = 0; k < n; k++) {
            int i = attempted.get(k);
            Result r = results.get(i);
            ids[k] = r.job().id();
            st[k] = states[i];
            attempts[k] = r.job().attempts() + 1;
            next[k] = nexts[i] == null ? null : nexts[i].toString();
            status[k] = r.outcome().status();
            errors[k] = error(r.outcome());
            completed[k] = PENDING.equals(states[i]) ? null : now.toString();
            index.put(ids[k], i);
        }
        Set<Long> updated = new HashSet<>();
        planWithout(c, "seqscan", "hashjoin", "mergejoin");
        try (PreparedStatement ps = c.prepareStatement("update webhook_deliveries d set state = v.state,"
                + " attempts = v.attempts, next_attempt_at = v.next_at::timestamptz, last_status = v.status,"
                + " last_error = v.error, lease_owner = null, lease_until = null, completed_at = v.done_at::timestamptz"
                + " from (select * from unnest(?::bigint[], ?::varchar[], ?::int[], ?::text[], ?::int[], ?::varchar[],"
                + " ?::text[]) as u(id, state, attempts, next_at, status, error, done_at) order by id) v"
                + " where d.id = v.id and d.lease_owner = ? returning d.id")) {
            int p = bindArrays(c, ps, "bigint", ids, "varchar", st, "int4", attempts, "text", next, "int4", status,
                    "varchar", errors, "text", completed);
            ps.setString(p + 1, owner);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    updated.add(rs.getLong(1));
                }
            }
        }
        for (Map.Entry<Long, Integer> e : index.entrySet()) {
            if (!updated.contains(e.getKey())) {
                states[e.getValue()] = null; // no longer ours (lease ran out and another replica took it, or deleted)
            }
        }
    }

    /** PostgreSQL: the attempt log rows of a batch in one {@code INSERT ... SELECT FROM unnest(...)}. */
    private static void logAll(Connection c, List<Result> results, List<Integer> logged, Instant[] nexts)
            throws SQLException {
        int n = logged.size();
        Long[] delivery = new Long[n];
        String[] subscription = new String[n];
        Integer[] attempt = new Integer[n];
        String[] at = new String[n];
        Long[] duration = new Long[n];
        Integer[] status = new Integer[n];
        String[] errors = new String[n];
        String[] next = new String[n];
        for (int k = 0; k < n; k++) {
            int i = logged.get(k);
            Result r = results.get(i);
            delivery[k] = r.job().id();
            subscription[k] = r.job().subscription().id();
            attempt[k] = r.job().attempts() + 1;
            at[k] = r.at().toString();
            duration[k] = r.outcome().durationMs();
            status[k] = r.outcome().status();
            errors[k] = error(r.outcome());
            next[k] = nexts[i] == null ? null : nexts[i].toString();
        }
        try (PreparedStatement ps = c.prepareStatement("insert into webhook_attempts (delivery_id, subscription_id,"
                + " attempt, attempted_at, duration_ms, status_code, error, next_retry_at)"
                + " select u.delivery, u.subscription, u.attempt, u.at::timestamptz, u.duration, u.status, u.error,"
                + " u.next_at::timestamptz from unnest(?::bigint[], ?::varchar[], ?::int[], ?::text[], ?::bigint[],"
                + " ?::int[], ?::varchar[], ?::text[]) as u(delivery, subscription, attempt, at, duration, status, error,"
                + " next_at)")) {
            bindArrays(c, ps, "bigint", delivery, "varchar", subscription, "int4", attempt, "text", at, "bigint",
                    duration, "int4", status, "varchar", errors, "text", next);
            ps.executeUpdate();
        }
    }

    /** Binds PostgreSQL arrays as parameters 1, 2...: pairs of element type and elements. Returns the last index. */
    private static int bindArrays(Connection c, PreparedStatement ps, Object... typesAndElements) throws SQLException {
        int p = 0;
        for (int i = 0; i < typesAndElements.length; i += 2) {
            ps.setArray(++p, c.createArrayOf((String) typesAndElements[i], (Object[]) typesAndElements[i + 1]));
        }
        return p;
    }

    private static String error(Outcome o) {
        return o.success() ? null : truncate(o.describe(), 1000);
    }

    static boolean postgres(Connection c) throws SQLException {
        return "PostgreSQL".equals(c.getMetaData().getDatabaseProductName());
    }

    /** One subscription's attempts in a batch, in order. */
    private static final class Health {
        boolean success;
        boolean gone;
        Instant failingSince; // first failure after the last success of the batch
        Outcome lastFailure;

        void add(Instant at, Outcome o) {
            if (o.success()) {
                success = true;
                failingSince = null;
            } else {
                if (failingSince == null) {
                    failingSince = at;
                }
                lastFailure = o;
                gone |= o.gone();
            }
        }
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
        Db.update(c, "update webhook_deliveries set state = 'FAILED', next_attempt_at = null, last_error = ?, lease_owner = null,"
                + " lease_until = null,"
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
