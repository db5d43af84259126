package io.fulfillmenthub.store;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.TreeSet;
import java.util.List;

import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * A database-backed queue of things to do (reconcile a cluster, deliver an event...), shared by every replica. An
 * item is claimed with a lease by a conditional update, so two replicas never work on one item at once; a crashed
 * replica's lease simply runs out. Enqueueing an item that is being worked on bumps its generation, so the change
 * is not lost when the worker completes.
 */
@ApplicationScoped
public class WorkQueue {

    public record Item(String kind, String key, long generation, int attempts) {
    }

    @Inject
    Db db;
    /** While the inboxes are busy, the part of the time a consumer looping over its queue may work (IntakePace). */
    @ConfigProperty(name = "hub.intake.background-share", defaultValue = "0.1")
    double backgroundShare;
    /** Deliveries per second from which the inboxes count as busy. */
    @ConfigProperty(name = "hub.intake.busy-rate", defaultValue = "100")
    int busyRate;
    /** The machine's CPU load from which the consumers give way to busy inboxes (0: whatever the load). */
    @ConfigProperty(name = "hub.intake.busy-cpu", defaultValue = "0")
    double busyCpu;
    /** The most items a consumer claims at once while it gives way to busy inboxes. */
    @ConfigProperty(name = "hub.intake.busy-batch", defaultValue = "2")
    int busyBatch;

    @PostConstruct
    void pace() {
        IntakePace.HUB.configure(backgroundShare, busyRate, busyCpu, busyBatch);
    }

    /** Schedules (kind, key) at {@code due} in the caller's transaction; an earlier due time wins. */
    public static void enqueue(Connection c, String kind, String key, Instant due) throws SQLException {
        upsert(c, kind, key, due);
        if (!due.isAfter(Instant.now())) {
            Wakeups.signal(kind); // due now: its consumer is woken once this transaction commits
        }
    }

    /**
     * {@link #enqueue} for many keys at once: one batch of updates for the keys already queued, one batch of inserts
     * for the others (per key again only when a concurrent transaction queued one of them meanwhile).
     */
    public static void enqueueAll(Connection c, String kind, Collection<String> keys, Instant due) throws SQLException {
        // in key order: two transactions queueing overlapping keys lock their rows in the same order, never crosswise
        List<String> distinct = new ArrayList<>(new TreeSet<>(keys));
        List<Object[]> rows = new ArrayList<>(distinct.size());
        for (String key : distinct) {
            rows.add(new Object[] { due, kind, key });
        }
        int[] bumped = Db.batch(c, BUMP, rows);
        List<Object[]> missing = new ArrayList<>();
        for (int i = 0; i < distinct.size(); i++) {
            if (bumped[i] == 0) {
                missing.add(new Object[] { kind, distinct.get(i), due });
            } else if (bumped[i] < 0) {
                upsert(c, kind, distinct.get(i), due); // the driver did not say: the careful way
            }
        }
        if (!missing.isEmpty()) {
            Savepoint sp = c.setSavepoint();
            try {
                Db.batch(c, INSERT, missing);
                c.releaseSavepoint(sp);
            } catch (SQLException e) {
                if (!Db.isUniqueViolation(e)) {
                    throw e;
                }
                c.rollback(sp);
                for (Object[] m : missing) {
                    upsert(c, kind, (String) m[1], due);
                }
            }
        }
        if (!due.isAfter(Instant.now())) {
            Wakeups.signal(kind);
        }
    }

    /**
     * Schedules a key that cannot be queued yet (say the id of a row this transaction just inserted): one insert, no
     * look-up first and no savepoint.
     */
    public static void enqueueNew(Connection c, String kind, String key, Instant due) throws SQLException {
        Db.update(c, INSERT, kind, key, due);
        if (!due.isAfter(Instant.now())) {
            Wakeups.signal(kind);
        }
    }

    private static final String BUMP = "update work_items set due_at = least(due_at, ?), generation = generation + 1"
            + " where kind = ? and item_key = ?";
    private static final String INSERT = "insert into work_items (kind, item_key, due_at, attempts, generation)"
            + " values (?, ?, ?, 0, 0)";

    private static void upsert(Connection c, String kind, String key, Instant due) throws SQLException {
        if (bump(c, kind, key, due) > 0) {
            return;
        }
        Savepoint sp = c.getAutoCommit() ? null : c.setSavepoint();
        try {
            Db.update(c, INSERT, kind, key, due);
            if (sp != null) {
                // released at once: thousands of open savepoints in one transaction overflow PostgreSQL's
                // subtransaction cache and slow every reader of the table
                c.releaseSavepoint(sp);
            }
        } catch (SQLException e) {
            if (!Db.isUniqueViolation(e)) {
                throw e;
            }
            if (sp != null) {
                c.rollback(sp);
            }
            bump(c, kind, key, due);
        }
    }

    /** An item already queued: an earlier due time wins, and the generation tells its worker it changed meanwhile. */
    private static int bump(Connection c, String kind, String key, Instant due) throws SQLException {
        return Db.update(c, BUMP, due, kind, key);
    }

    /**
     * Schedules, in one statement, every key that {@code keysQuery} selects and that is not queued yet (items already
     * queued keep their due time); the query's one column is named {@code item_key}. For periodic resyncs over many objects: no per-key round trips or savepoints.
     * Another replica inserting the same keys at the same moment makes this round a no-op (unique violation), the next
     * one catches up.
     *
     * @return how many items were added
     */
    public static int enqueueMissing(Connection c, String kind, String keysQuery, Instant due, Object... args)
            throws SQLException {
        Object[] all = new Object[args.length + 3];
        System.arraycopy(args, 0, all, 0, args.length);
        all[args.length] = kind;
        all[args.length + 1] = kind;
        all[args.length + 2] = due;
        Savepoint sp = c.getAutoCommit() ? null : c.setSavepoint();
        try {
            int n = Db.update(c, "merge into work_items w using (" + keysQuery + ") s"
                    + " on (w.kind = ? and w.item_key = s.item_key)"
                    + " when not matched then insert (kind, item_key, due_at, attempts, generation)"
                    + " values (?, s.item_key, ?, 0, 0)", all);
            if (sp != null) {
                c.releaseSavepoint(sp);
            }
            if (n > 0) {
                Wakeups.signal(kind);
            }
            return n;
        } catch (SQLException e) {
            if (!Db.isUniqueViolation(e)) {
                throw e;
            }
            if (sp != null) {
                c.rollback(sp);
            }
            return 0;
        }
    }

    public void enqueue(String kind, String key, Instant due) {
        db.tx(c -> {
            enqueue(c, kind, key, due);
            return null;
        });
    }

    /**
     * Claims up to {@code max} due items of a kind for {@code lease}, in one transaction: one statement picks and
     * locks them ({@code FOR UPDATE SKIP LOCKED}: items another replica is claiming right now are skipped, not waited
     * for), one leases them all. Their generation is read under that lock, so it cannot move before the lease holds.
     */
    public List<Item> claim(String kind, String owner, Duration lease, int max) {
        IntakePace.HUB.beforeClaim(kind); // the inboxes first while deliveries keep arriving
        int limit = IntakePace.HUB.batchLimit(max); // and in small bursts meanwhile
        Instant now = Instant.now();
        List<Item> claimed = db.tx(c -> {
            List<Item> rows = Db.list(c, "select item_key, generation, attempts from work_items"
                    + " where kind = ? and due_at <= ? and (lease_until is null or lease_until < ?)"
                    + " order by due_at fetch first " + limit + " rows only for update skip locked",
                    rs -> new Item(kind, rs.getString(1), rs.getLong(2), rs.getInt(3)), kind, now, now);
            if (rows.isEmpty()) {
                return rows;
            }
            List<Object> args = new ArrayList<>(List.of(owner, now.plus(lease), kind));
            rows.forEach(i -> args.add(i.key()));
            Db.update(c, "update work_items set lease_owner = ?, lease_until = ? where kind = ? and item_key in ("
                    + Db.placeholders(rows.size()) + ")", args.toArray());
            return rows;
        });
        IntakePace.HUB.claimed(claimed.size());
        if (claimed.size() >= limit) {
            Wakeups.signal(kind); // a full batch: there may be more, look again right after this one
        }
        return claimed;
    }

    /** Done: removes the item unless it was enqueued again meanwhile, in which case it is released for another round. */
    public void complete(Item item) {
        db.tx(c -> {
            complete(c, item);
            return null;
        });
    }

    /** {@link #complete(Item)} in the caller's transaction (with the work's own writes: one commit for both). */
    public static void complete(Connection c, Item item) throws SQLException {
        IntakePace.HUB.itemDone();
        int n = Db.update(c, "delete from work_items where kind = ? and item_key = ? and generation = ?",
                item.kind(), item.key(), item.generation());
        if (n == 0) {
            // enqueued again while it was worked on (that wake-up found it leased): due now, look again
            Db.update(c, "update work_items set lease_owner = null, lease_until = null, attempts = 0"
                    + " where kind = ? and item_key = ?", item.kind(), item.key());
            Wakeups.signal(item.kind());
        }
    }

    /** Not done yet (waiting, or failed): try again at {@code retryAt}. */
    public void retry(Item item, Instant retryAt, String error, boolean countAttempt) {
        IntakePace.HUB.itemDone();
        db.tx(c -> {
            Db.update(c, "update work_items set lease_owner = null, lease_until = null, due_at = least(?, "
                    + "case when generation = ? then ? else due_at end), attempts = attempts + ?, last_error = ?"
                    + " where kind = ? and item_key = ?",
                    retryAt, item.generation(), retryAt, countAttempt ? 1 : 0,
                    error == null ? null : error.substring(0, Math.min(error.length(), 2000)), item.kind(), item.key());
            if (!retryAt.isAfter(Instant.now())) {
                Wakeups.signal(item.kind()); // more to do at once: another pass once this commits
            }
            return null;
        });
    }

    public long pending(String kind) {
        return db.read(c -> Db.count(c, "select count(*) from work_items where kind = ?", kind));
    }
}
