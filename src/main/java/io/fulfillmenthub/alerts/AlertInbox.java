package io.fulfillmenthub.alerts;

import java.lang.management.ManagementFactory;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import io.fulfillmenthub.alerts.normalize.NormalizedAlert;
import io.fulfillmenthub.notifications.SinkJobs;
import io.fulfillmenthub.store.Db;
import io.fulfillmenthub.store.Json;
import io.fulfillmenthub.store.StoreException;
import io.fulfillmenthub.store.WorkQueue;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.inject.Named;
import org.apache.camel.Exchange;
import org.jboss.logging.Logger;

/**
 * The alert inbox. A webhook's alerts are recorded in one transaction (one insert each, unique on dedupe key +
 * status + start) together with a work item per dedupe key, before the sender gets its 2xx; a repeat dies on the
 * unique key. The {@code alert-policy} route then claims dedupe keys (any replica, under a lease) and folds their
 * entries into alerts one at a time.
 */
@ApplicationScoped
@Named("alertInbox")
public class AlertInbox {

    private static final Logger LOG = Logger.getLogger(AlertInbox.class);
    public static final String WORK_KIND = "alert";
    static final Duration LEASE = Duration.ofMinutes(5);
    static final int MAX_KEY = 500;

    @Inject
    Db db;
    @Inject
    WorkQueue queue;
    @Inject
    MeterRegistry registry;

    final String owner = ManagementFactory.getRuntimeMXBean().getName() + "/" + UUID.randomUUID().toString().substring(0, 8);

    /** What a webhook call recorded. */
    public record Recorded(int received, int recorded, int duplicates) {
    }

    /** The dedupe key as stored: long Redfish keys keep their head and a hash of the whole. */
    public static String storedKey(String dedupeKey) {
        return SinkJobs.bounded(dedupeKey, MAX_KEY);
    }

    /** The instant that tells two instances of one condition apart: its start, else its end, else its arrival. */
    static Instant instant(NormalizedAlert a) {
        Instant t = a.startsAt() != null ? a.startsAt() : a.endsAt() != null ? a.endsAt() : a.receivedAt();
        return t.truncatedTo(ChronoUnit.MILLIS);
    }

    public Recorded record(List<NormalizedAlert> alerts) {
        StoreException last = null;
        for (int attempt = 0; attempt < 4; attempt++) {
            try {
                return recordOnce(alerts);
            } catch (StoreException e) {
                // a concurrent copy of the same alert held the row: its commit decides, then the unique key does
                if (!transientConflict(e)) {
                    throw e;
                }
                last = e;
                try {
                    Thread.sleep(20L * (attempt + 1));
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
            }
        }
        throw last;
    }

    private Recorded recordOnce(List<NormalizedAlert> alerts) {
        Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        Recorded r;
        try {
            r = db.tx(c -> recordBatch(c, alerts, now));
        } catch (StoreException e) {
            if (!Db.isUniqueViolation(e)) {
                throw e;
            }
            // a concurrent copy of one of these alerts committed between the look-up and the insert: one by one
            r = recordOneByOne(alerts, now);
        }
        if (r.recorded() > 0) {
            count(alerts.get(0).source().id(), "recorded", r.recorded());
        }
        if (r.duplicates() > 0) {
            count(alerts.get(0).source().id(), "duplicate", r.duplicates());
        }
        return r;
    }

    /** The triple the inbox is unique on. */
    private record Instance(String key, String status, Instant at) {
    }

    /**
     * The common case in a few statements whatever the number of alerts: one look-up of the instances already
     * recorded, one batch of inserts, one batch for the work items. A unique violation (a concurrent copy) aborts it.
     */
    private Recorded recordBatch(Connection c, List<NormalizedAlert> alerts, Instant now) throws SQLException {
        Map<Instance, NormalizedAlert> fresh = new LinkedHashMap<>();
        for (NormalizedAlert a : alerts) {
            fresh.putIfAbsent(new Instance(storedKey(a.dedupeKey()), a.status().name(), instant(a)), a);
        }
        Object[] keys = fresh.keySet().stream().map(Instance::key).distinct().toArray();
        Object[] ats = fresh.keySet().stream().map(Instance::at).distinct().toArray();
        Object[] args = new Object[keys.length + ats.length];
        System.arraycopy(keys, 0, args, 0, keys.length);
        System.arraycopy(ats, 0, args, keys.length, ats.length);
        for (Instance known : Db.list(c, "select dedupe_key, alert_status, instance_at from alert_inbox where dedupe_key in ("
                + Db.placeholders(keys.length) + ") and instance_at in (" + Db.placeholders(ats.length) + ")",
                rs -> new Instance(rs.getString(1), rs.getString(2), Db.instant(rs, "instance_at")), args)) {
            fresh.remove(known);
        }
        List<Object[]> rows = new ArrayList<>(fresh.size());
        // in key order, as the work items: concurrent webhooks sharing keys wait for each other, never deadlock
        List<Map.Entry<Instance, NormalizedAlert>> ordered = new ArrayList<>(fresh.entrySet());
        ordered.sort(Map.Entry.comparingByKey(java.util.Comparator.comparing(Instance::key)
                .thenComparing(Instance::status).thenComparing(Instance::at)));
        for (Map.Entry<Instance, NormalizedAlert> e : ordered) {
            NormalizedAlert a = e.getValue();
            rows.add(new Object[] { a.source().id(), e.getKey().key(), e.getKey().status(), e.getKey().at(), Json.write(a), now });
        }
        if (!rows.isEmpty()) {
            Db.batch(c, INSERT, rows);
            WorkQueue.enqueueAll(c, WORK_KIND, fresh.keySet().stream().map(Instance::key).toList(), now);
        }
        return new Recorded(alerts.size(), fresh.size(), alerts.size() - fresh.size());
    }

    private static final String INSERT = "insert into alert_inbox (source, dedupe_key, alert_status, instance_at, alert,"
            + " received_at) values (?, ?, ?, ?, ?, ?)";

    private Recorded recordOneByOne(List<NormalizedAlert> alerts, Instant now) {
        return db.tx(c -> {
            int recorded = 0;
            int duplicates = 0;
            for (NormalizedAlert a : alerts) {
                String key = storedKey(a.dedupeKey());
                Savepoint sp = c.setSavepoint();
                try {
                    Db.update(c, INSERT, a.source().id(), key, a.status().name(), instant(a), Json.write(a), now);
                    c.releaseSavepoint(sp);
                    WorkQueue.enqueue(c, WORK_KIND, key, now);
                    recorded++;
                } catch (SQLException e) {
                    if (!Db.isUniqueViolation(e)) {
                        throw e;
                    }
                    c.rollback(sp);
                    duplicates++;
                }
            }
            return new Recorded(alerts.size(), recorded, duplicates);
        });
    }

    static boolean transientConflict(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLException s) {
                String state = s.getSQLState();
                int code = s.getErrorCode();
                // PostgreSQL serialization/deadlock; H2 concurrent update (90131), lock timeout (50200), deadlock (40001)
                if ("40001".equals(state) || "40P01".equals(state) || code == 90131 || code == 50200 || "HYT00".equals(state)) {
                    return true;
                }
            }
        }
        return false;
    }

    void count(String source, String outcome, int n) {
        Counter.builder("hub_alerts_received").tag("source", source).tag("outcome", outcome)
                .description("alert notifications by outcome: recorded, duplicate, unauthorized, invalid")
                .register(registry).increment(n);
    }

    // ---------------------------------------------------------------------------------------- the policy's queue

    /** Dedupe keys with something to do, claimed for this replica. */
    public List<AlertCase> claim() {
        return queue.claim(WORK_KIND, owner, LEASE, 8).stream().map(AlertCase::new).toList();
    }

    /** The pass ended: the policy handled the alert's current status; more entries waiting mean another pass now. */
    public void done(AlertCase ac) {
        if (ac.alert != null) {
            db.tx(c -> Db.update(c, "update alerts set policy_status = ?, updated_at = ? where id = ?",
                    ac.alert.status, Instant.now(), ac.alert.id));
        }
        long more = db.read(c -> Db.count(c, "select count(*) from alert_inbox where dedupe_key = ? and processed_at is null",
                ac.getDedupeKey()));
        if (more > 0) {
            queue.retry(ac.item, Instant.now(), null, false);
        } else {
            queue.complete(ac.item);
        }
    }

    /** A step failed (store, inventory, management hub): the pass is retried with backoff; done steps are skipped. */
    public void failed(Exchange ex) {
        AlertCase ac = ex.getMessage().getBody(AlertCase.class);
        Throwable error = ex.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        if (ac == null) {
            LOG.warn("alert pass failed before its case was read", error);
            return;
        }
        long backoffMs = Math.min(300_000, 1000L << Math.min(ac.item.attempts(), 8));
        LOG.warnf("alert pass for %s failed (attempt %d), retry in %d ms: %s", ac, ac.item.attempts() + 1, backoffMs,
                error == null ? "?" : error.toString());
        queue.retry(ac.item, Instant.now().plusMillis(backoffMs), error == null ? null : error.toString(), true);
    }
}
