package io.fulfillmenthub.notifications;

import java.sql.SQLException;
import java.sql.Savepoint;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicLong;

import io.fulfillmenthub.store.Db;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * Fixed-window rate limits kept in the database, so that every replica counts against the same budget (PagerDuty's
 * ~120 events a minute per routing key, Slack's ~1 message a second per webhook). A job that gets no permit simply
 * stays queued for a later window: nothing is dropped.
 */
@ApplicationScoped
public class RateLimiter {

    @Inject
    Db db;

    private final AtomicLong lastCleanup = new AtomicLong();

    /** Takes one permit of {@code key} in the current window; false when the window's {@code permits} are used. */
    public boolean tryAcquire(String key, int permits, Duration window) {
        if (permits <= 0) {
            return true;
        }
        Instant now = Instant.now();
        long w = Math.max(1, window.toMillis());
        Instant start = Instant.ofEpochMilli(now.toEpochMilli() / w * w);
        cleanup(now);
        return db.tx(c -> {
            int n = Db.update(c, "update sink_rate_windows set used = used + 1 where rate_key = ? and window_start = ?"
                    + " and used < ?", key, start, permits);
            if (n == 1) {
                return true;
            }
            if (Db.count(c, "select count(*) from sink_rate_windows where rate_key = ? and window_start = ?", key,
                    start) > 0) {
                return false;
            }
            Savepoint sp = c.setSavepoint();
            try {
                Db.update(c, "insert into sink_rate_windows (rate_key, window_start, used) values (?, ?, 1)", key, start);
                return true;
            } catch (SQLException e) {
                if (!Db.isUniqueViolation(e)) {
                    throw e;
                }
                c.rollback(sp);
                return Db.update(c, "update sink_rate_windows set used = used + 1 where rate_key = ? and window_start = ?"
                        + " and used < ?", key, start, permits) == 1;
            }
        });
    }

    private void cleanup(Instant now) {
        long last = lastCleanup.get();
        if (now.toEpochMilli() - last > 600_000 && lastCleanup.compareAndSet(last, now.toEpochMilli())) {
            db.tx(c -> Db.update(c, "delete from sink_rate_windows where window_start < ?", now.minus(Duration.ofHours(2))));
        }
    }
}
