package io.fulfillmenthub.store;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

/**
 * The exact {@code total} of the clusters and hosts lists without counting their rows: {@code list_counts} holds, per
 * table, the change of each (k1, k2) count (clusters: tenant, state; hosts: host_class, state), appended by triggers
 * in the transaction of every insert, update and delete (V8). A total is the sum of the matching deltas; when a key
 * has gathered many, they are folded into one row per key.
 */
@ApplicationScoped
public class ListCounts {

    private static final Logger LOG = Logger.getLogger(ListCounts.class);

    /** Fold a table's deltas once a total had to add up more than this many rows beyond one per key. */
    static final int FOLD_ABOVE = 64;

    @Inject
    Db db;

    private final AtomicBoolean folding = new AtomicBoolean();
    /** Folds done by this replica (tests). */
    final java.util.concurrent.atomic.AtomicLong folds = new java.util.concurrent.atomic.AtomicLong();

    /**
     * How many rows of {@code table} have k1 = {@code k1} (any when null) and k2 = {@code k2} (any when null), leaving
     * out those whose k2 is {@code exceptK2} (none left out when null).
     */
    public long total(String table, String k1, String k2, String exceptK2) {
        StringBuilder sql = new StringBuilder("select coalesce(sum(n), 0), count(*), count(distinct k1 || ' ' || k2)"
                + " from list_counts where tbl = ?");
        List<Object> args = new ArrayList<>();
        args.add(table);
        if (k1 != null) {
            sql.append(" and k1 = ?");
            args.add(k1);
        }
        if (k2 != null) {
            sql.append(" and k2 = ?");
            args.add(k2);
        }
        if (exceptK2 != null) {
            sql.append(" and k2 <> ?");
            args.add(exceptK2);
        }
        long[] r = db.read(c -> Db.one(c, sql.toString(), rs -> new long[] {rs.getLong(1), rs.getLong(2), rs.getLong(3)},
                args.toArray()));
        if (r[1] - r[2] > FOLD_ABOVE) {
            // more deltas than keys: fold (a folded table still has one row per key, which is no reason to fold)
            fold(table);
        }
        return r[0];
    }

    /** Per k2 (state) over the whole table, e.g. clusters by state for the metrics. */
    public java.util.Map<String, Long> byK2(String table) {
        java.util.Map<String, Long> out = new java.util.LinkedHashMap<>();
        db.read(c -> Db.list(c, "select k2, coalesce(sum(n), 0) from list_counts where tbl = ? group by k2 order by k2",
                rs -> out.put(rs.getString(1), rs.getLong(2)), table));
        return out;
    }

    /** Now and then, also without reads: a table written often and listed rarely keeps few deltas. */
    @Scheduled(every = "${hub.list-counts.fold-interval:60s}", delayed = "30s",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void foldAll() {
        for (String table : new String[] {"clusters", "hosts"}) {
            try {
                long rows = db.read(c -> Db.count(c, "select count(*) from list_counts where tbl = ?", table));
                long keys = db.read(c -> Db.count(c, "select count(*) from (select distinct k1, k2 from list_counts"
                        + " where tbl = ?) k", table));
                if (rows > keys) {
                    fold(table);
                }
            } catch (RuntimeException e) {
                LOG.debugf("list counts of %s not folded: %s", table, e.toString());
            }
        }
    }

    /**
     * Replaces the table's deltas by one row per key, in one transaction. The rows summed are exactly those the
     * statement deleted (PostgreSQL: {@code delete ... returning}; H2: {@code old table (delete ...)}), so deltas
     * committed meanwhile stay and nothing is counted twice or lost; concurrent folds are safe for the same reason.
     */
    public void fold(String table) {
        if (!folding.compareAndSet(false, true)) {
            return;
        }
        try {
            String gone = db.isPostgres()
                    ? "with gone as (delete from list_counts where tbl = ? returning k1, k2, n)"
                            + " select k1, k2, sum(n) from gone group by k1, k2"
                    : "select k1, k2, sum(n) from old table (delete from list_counts where tbl = ?) group by k1, k2";
            db.tx(c -> {
                List<Object[]> sums = Db.list(c, gone, rs -> new Object[] {table, rs.getString(1), rs.getString(2),
                        rs.getLong(3)}, table);
                sums.removeIf(row -> (long) row[3] == 0);
                Db.batch(c, "insert into list_counts (tbl, k1, k2, n) values (?, ?, ?, ?)", sums);
                return null;
            });
            folds.incrementAndGet();
        } catch (RuntimeException e) {
            // the deltas are still all there: the totals stay exact, the next total tries again
            LOG.debugf("folding list counts of %s failed: %s", table, e.toString());
        } finally {
            folding.set(false);
        }
    }
}
