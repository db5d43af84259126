package io.fulfillmenthub.notifications;

import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

import com.fasterxml.jackson.core.type.TypeReference;
import io.fulfillmenthub.http.Page;
import io.fulfillmenthub.store.Db;
import io.fulfillmenthub.store.Json;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import jakarta.inject.Named;
import org.apache.camel.Exchange;
import org.apache.camel.spi.HttpResponseAware;
import org.jboss.logging.Logger;

/**
 * Outbound calls to the sinks, as durable jobs: queued in {@code sink_jobs} in the transaction of the change that
 * causes them, claimed by any replica under a lease, sent through the sink's Kamelet by
 * {@code routes/notification-delivery.yaml}, retried with backoff on outages, 429 and 5xx (honouring
 * {@code Retry-After}), and dead-lettered (state DEAD, {@code hub_sink_dead_letters}, the admin API) after the last
 * retry or at once on a permanent refusal (other 4xx). Rate limits are respected by leaving jobs queued.
 */
@ApplicationScoped
@Named("sinkJobs")
public class SinkJobs {

    private static final Logger LOG = Logger.getLogger(SinkJobs.class);
    static final Duration LEASE = Duration.ofMinutes(2);
    static final int BATCH = 20;
    public static final String JOB_PROPERTY = "hubSinkJob";
    public static final String SINK_PROPERTY = "hubSink";

    public enum State {
        PENDING, DONE, SKIPPED, DEAD
    }

    /** A claimed job. {@code payload} is what the enqueuer stored (JSON object). */
    public record Job(long id, String jobKey, String sink, String action, String orderKey, String alertId,
            Map<String, Object> payload, int attempts) {
    }

    /** Nothing to send (the sink is off, the object needs no call any more): the job ends SKIPPED. */
    public static class SkipJob extends RuntimeException {
        public SkipJob(String reason) {
            super(reason, null, false, false);
        }
    }

    /** Not yet (another replica holds the ticket claim): look again shortly, without counting an attempt. */
    public static class WaitJob extends RuntimeException {
        public WaitJob(String reason) {
            super(reason, null, false, false);
        }
    }

    /** A dead letter as the admin API shows it. */
    public static class DeadLetter {
        public long id;
        public String sink;
        public String action;
        public String jobKey;
        public String alertId;
        public String state;
        public int attempts;
        public String lastError;
        public Instant createdAt;
        public Instant updatedAt;
    }

    @Inject
    Db db;
    @Inject
    SinkSettings settings;
    @Inject
    RateLimiter limiter;
    @Inject
    Instance<SinkActions> handlers;
    @Inject
    MeterRegistry registry;

    final String owner = ManagementFactory.getRuntimeMXBean().getName() + "/" + UUID.randomUUID().toString().substring(0, 8);

    @PostConstruct
    void metrics() {
        Gauge.builder("hub_sink_dead_letters", this, SinkJobs::deadCount)
                .description("sink jobs given up after their retries (see /api/admin/v1/dead_letters)").register(registry);
        Gauge.builder("hub_sink_queue", this, SinkJobs::pendingCount)
                .description("sink jobs waiting to be sent (rate limits and retries included)").register(registry);
    }

    private double deadCount() {
        try {
            return db.read(c -> Db.count(c, "select count(*) from sink_jobs where job_state = 'DEAD'"));
        } catch (RuntimeException e) {
            return Double.NaN;
        }
    }

    private double pendingCount() {
        try {
            return db.read(c -> Db.count(c, "select count(*) from sink_jobs where job_state = 'PENDING'"));
        } catch (RuntimeException e) {
            return Double.NaN;
        }
    }

    // ------------------------------------------------------------------------------------------------ enqueue

    /**
     * Queues a job in the caller's transaction. The job key makes it idempotent: false when a job with that key
     * exists already (the caller's earlier attempt, or a concurrent one).
     */
    public static boolean enqueue(Connection c, String jobKey, String sink, String action, String orderKey,
            String alertId, Object payload) throws SQLException {
        Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        Savepoint sp = c.getAutoCommit() ? null : c.setSavepoint();
        try {
            Db.update(c, "insert into sink_jobs (job_key, sink, job_action, order_key, alert_id, payload, job_state,"
                    + " attempts, next_attempt_at, created_at, updated_at) values (?, ?, ?, ?, ?, ?, 'PENDING', 0, ?, ?, ?)",
                    bounded(jobKey, 600), sink, action, orderKey == null ? null : bounded(orderKey, 600), alertId,
                    Json.write(payload), now, now, now);
            return true;
        } catch (SQLException e) {
            if (!Db.isUniqueViolation(e)) {
                throw e;
            }
            if (sp != null) {
                c.rollback(sp);
            }
            return false;
        }
    }

    /** Counts (and logs) a step not taken because its sink is off. */
    public void skipped(String sink, String step, String what) {
        Counter.builder("hub_sink_skipped").tag("sink", sink).tag("step", step)
                .description("flow steps skipped because their sink is not configured").register(registry).increment();
        LOG.infof("%s skipped for %s: sink '%s' is off (not configured)", step, what, sink);
    }

    // ------------------------------------------------------------------------------------------------ dispatch

    /** Due jobs for this replica: one per order key, within the rate limits, leased. */
    public List<Job> claim() {
        Instant now = Instant.now();
        List<Job> candidates = db.read(c -> Db.list(c, "select * from sink_jobs where job_state = 'PENDING'"
                + " and next_attempt_at <= ? and (lease_until is null or lease_until < ?) order by id fetch first "
                + (BATCH * 3) + " rows only", SinkJobs::map, now, now));
        List<Job> claimed = new ArrayList<>();
        Set<String> orderKeys = new HashSet<>();
        Set<String> exhausted = new HashSet<>();
        for (Job j : candidates) {
            if (claimed.size() >= BATCH) {
                break;
            }
            if (j.orderKey() != null && !orderKeys.add(j.orderKey())) {
                continue;
            }
            if (j.orderKey() != null && db.read(c -> Db.count(c, "select count(*) from sink_jobs where order_key = ?"
                    + " and id < ? and job_state = 'PENDING'", j.orderKey(), j.id())) > 0) {
                continue; // an earlier job of the same object goes first
            }
            String rateKey = settings.rateKey(j.sink());
            if (exhausted.contains(rateKey)) {
                continue;
            }
            int n = db.tx(c -> Db.update(c, "update sink_jobs set lease_owner = ?, lease_until = ? where id = ?"
                    + " and job_state = 'PENDING' and (lease_until is null or lease_until < ?)",
                    owner, now.plus(LEASE), j.id(), now));
            if (n != 1) {
                continue;
            }
            SinkSettings.Rate rate = settings.rate(j.sink());
            if (!limiter.tryAcquire(rateKey, rate.permits(), rate.window())) {
                exhausted.add(rateKey);
                db.tx(c -> Db.update(c, "update sink_jobs set lease_owner = null, lease_until = null where id = ?", j.id()));
                continue; // stays queued for the next window
            }
            claimed.add(j);
        }
        return claimed;
    }

    /** Turns the claimed job (the body) into the Kamelet's input; the route then calls {@code direct:sink-<sink>}. */
    public void prepare(Exchange ex) throws Exception {
        Job job = ex.getMessage().getBody(Job.class);
        ex.setProperty(JOB_PROPERTY, job);
        ex.setProperty(SINK_PROPERTY, job.sink());
        ex.getMessage().removeHeaders("*");
        if (!settings.on(job.sink())) {
            throw new SkipJob("sink '" + job.sink() + "' is off (not configured)");
        }
        handler(job).prepare(job, ex);
    }

    /** The sink accepted: the job is done. */
    public void sent(Exchange ex) {
        Job job = ex.getProperty(JOB_PROPERTY, Job.class);
        String summary = handler(job).sent(job, ex);
        finish(job, State.DONE, summary, null);
        count(job.sink(), "sent");
        LOG.debugf("sink job %d (%s %s) sent: %s", job.id(), job.sink(), job.action(), summary);
    }

    /** The call failed, or the job was skipped/deferred: retry with backoff, or give up. */
    public void failed(Exchange ex) {
        Job job = ex.getProperty(JOB_PROPERTY, Job.class);
        Throwable error = ex.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        if (job == null) {
            LOG.warn("sink job failed before it was read", error);
            return;
        }
        if (error instanceof SkipJob skip) {
            finish(job, State.SKIPPED, null, skip.getMessage());
            handlerOrNull(job).ifPresent(h -> h.gaveUp(job, skip.getMessage(), false));
            count(job.sink(), "skipped");
            LOG.infof("sink job %d (%s %s) skipped: %s", job.id(), job.sink(), job.action(), skip.getMessage());
            return;
        }
        if (error instanceof WaitJob wait) {
            retryAt(job, Instant.now().plusMillis(500), wait.getMessage(), false);
            return;
        }
        Failure f = classify(error);
        List<Duration> schedule = settings.retrySchedule();
        int attempt = job.attempts() + 1;
        if (!f.permanent() && attempt <= schedule.size()) {
            Duration gap = schedule.get(attempt - 1);
            long jitter = gap.toMillis() / 10 > 0 ? ThreadLocalRandom.current().nextLong(gap.toMillis() / 10 + 1) : 0;
            Duration wait = gap.plusMillis(jitter);
            if (f.retryAfter() != null && f.retryAfter().compareTo(wait) > 0) {
                wait = f.retryAfter();
            }
            retryAt(job, Instant.now().plus(wait), f.message(), true);
            count(job.sink(), "retry");
            LOG.warnf("sink job %d (%s %s) failed (attempt %d of %d), retry in %d ms: %s", job.id(), job.sink(),
                    job.action(), attempt, schedule.size() + 1, wait.toMillis(), f.message());
            return;
        }
        db.tx(c -> Db.update(c, "update sink_jobs set job_state = 'DEAD', attempts = attempts + 1, last_error = ?,"
                + " lease_owner = null, lease_until = null, updated_at = ? where id = ?",
                bounded(f.message(), 2000), Instant.now(), job.id()));
        handlerOrNull(job).ifPresent(h -> h.gaveUp(job, f.message(), true));
        count(job.sink(), "dead");
        LOG.errorf("sink job %d (%s %s) dead-lettered after %d attempt(s)%s: %s", job.id(), job.sink(), job.action(),
                attempt, f.permanent() ? " (permanent refusal)" : "", f.message());
    }

    record Failure(boolean permanent, Duration retryAfter, String message) {
    }

    /** 4xx other than 408/425/429 is a permanent refusal (PagerDuty: 400 = do not retry); the rest is retried. */
    static Failure classify(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause()) {
            if (t instanceof HttpResponseAware http && http.getHttpResponseCode() > 0) {
                int code = http.getHttpResponseCode();
                Duration retryAfter = null;
                String body = null;
                if (t instanceof org.apache.camel.http.base.HttpOperationFailedException h) {
                    retryAfter = retryAfter(h.getResponseHeaders());
                    body = h.getResponseBody();
                }
                boolean permanent = code >= 400 && code < 500 && code != 408 && code != 425 && code != 429;
                String msg = "HTTP " + code + (body == null || body.isBlank() ? "" : ": " + redact(body.strip()));
                return new Failure(permanent, retryAfter, bounded(msg, 1000));
            }
            if (t instanceof IllegalArgumentException) {
                return new Failure(true, null, bounded("invalid request: " + redact(String.valueOf(t.getMessage())), 1000));
            }
        }
        Throwable root = error;
        while (root != null && root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String msg = root == null ? "unknown failure" : root.getClass().getSimpleName() + ": " + redact(String.valueOf(root.getMessage()));
        return new Failure(false, null, bounded(msg, 1000));
    }

    /** Removes URLs (a Slack webhook URL is a secret) and anything after credentials-like words. */
    static String redact(String s) {
        return s.replaceAll("(?i)[a-z][a-z0-9+.-]*://[^\\s\"'<>]+", "<url>")
                .replaceAll("(?i)(password|token|routing_key|authorization)([\"']?\\s*[:=]\\s*)[^,\\s}]+", "$1$2***");
    }

    static Duration retryAfter(Map<String, String> headers) {
        if (headers == null) {
            return null;
        }
        for (Map.Entry<String, String> e : headers.entrySet()) {
            if ("retry-after".equalsIgnoreCase(e.getKey()) && e.getValue() != null) {
                String v = e.getValue().trim();
                try {
                    long secs = Long.parseLong(v);
                    return Duration.ofSeconds(Math.min(Math.max(secs, 0), 86_400));
                } catch (NumberFormatException notSeconds) {
                    try {
                        Instant at = ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
                        Duration d = Duration.between(Instant.now(), at);
                        return d.isNegative() ? Duration.ZERO : d.compareTo(Duration.ofDays(1)) > 0 ? Duration.ofDays(1) : d;
                    } catch (RuntimeException unreadable) {
                        return null;
                    }
                }
            }
        }
        return null;
    }

    private void retryAt(Job job, Instant at, String error, boolean countAttempt) {
        db.tx(c -> Db.update(c, "update sink_jobs set next_attempt_at = ?, attempts = attempts + ?, last_error = ?,"
                + " lease_owner = null, lease_until = null, updated_at = ? where id = ?",
                at, countAttempt ? 1 : 0, bounded(error, 2000), Instant.now(), job.id()));
    }

    private void finish(Job job, State state, String result, String error) {
        db.tx(c -> Db.update(c, "update sink_jobs set job_state = ?, job_result = ?, last_error = coalesce(?, last_error),"
                + " lease_owner = null, lease_until = null, updated_at = ? where id = ?",
                state, result == null ? null : bounded(result, 2000), error == null ? null : bounded(error, 2000),
                Instant.now(), job.id()));
    }

    private void count(String sink, String outcome) {
        Counter.builder("hub_sink_deliveries").tag("sink", sink).tag("outcome", outcome)
                .description("sink job outcomes: sent, retry, dead, skipped").register(registry).increment();
    }

    private SinkActions handler(Job job) {
        return handlerOrNull(job).orElseThrow(() -> new IllegalArgumentException("no handler for action " + job.action()));
    }

    private java.util.Optional<SinkActions> handlerOrNull(Job job) {
        for (SinkActions h : handlers) {
            if (h.handles(job.action())) {
                return java.util.Optional.of(h);
            }
        }
        return java.util.Optional.empty();
    }

    // ------------------------------------------------------------------------------------------------ dead letters

    public List<DeadLetter> deadLetters(String sink, Page page) {
        List<Object> args = new ArrayList<>();
        String where = " where job_state = 'DEAD'";
        if (sink != null) {
            where += " and sink = ?";
            args.add(sink);
        }
        args.add(page.offset());
        args.add(page.limit());
        String w = where;
        return db.read(c -> Db.list(c, "select * from sink_jobs" + w + " order by created_at, id offset ? rows fetch next ? rows only",
                SinkJobs::deadLetter, args.toArray()));
    }

    public long countDeadLetters(String sink) {
        return db.read(c -> sink == null
                ? Db.count(c, "select count(*) from sink_jobs where job_state = 'DEAD'")
                : Db.count(c, "select count(*) from sink_jobs where job_state = 'DEAD' and sink = ?", sink));
    }

    public DeadLetter job(long id) {
        return db.read(c -> Db.one(c, "select * from sink_jobs where id = ?", SinkJobs::deadLetter, id));
    }

    /** Puts a dead letter back in the queue with a fresh retry schedule; false when it is not DEAD. */
    public boolean retry(long id) {
        return db.tx(c -> Db.update(c, "update sink_jobs set job_state = 'PENDING', attempts = 0, next_attempt_at = ?,"
                + " updated_at = ? where id = ? and job_state = 'DEAD'", Instant.now(), Instant.now(), id)) == 1;
    }

    /** Jobs of an alert, for the alert view and tests. */
    public List<DeadLetter> jobsOf(String alertId) {
        return db.read(c -> Db.list(c, "select * from sink_jobs where alert_id = ? order by id", SinkJobs::deadLetter, alertId));
    }

    // ------------------------------------------------------------------------------------------------ helpers

    static Job map(ResultSet rs) throws SQLException {
        Map<String, Object> payload = Json.read(rs.getString("payload"), new TypeReference<LinkedHashMap<String, Object>>() {
        });
        return new Job(rs.getLong("id"), rs.getString("job_key"), rs.getString("sink"), rs.getString("job_action"),
                rs.getString("order_key"), rs.getString("alert_id"), payload, rs.getInt("attempts"));
    }

    static DeadLetter deadLetter(ResultSet rs) throws SQLException {
        DeadLetter d = new DeadLetter();
        d.id = rs.getLong("id");
        d.sink = rs.getString("sink");
        d.action = rs.getString("job_action");
        d.jobKey = rs.getString("job_key");
        d.alertId = rs.getString("alert_id");
        d.state = rs.getString("job_state");
        d.attempts = rs.getInt("attempts");
        d.lastError = rs.getString("last_error");
        d.createdAt = Db.instant(rs, "created_at");
        d.updatedAt = Db.instant(rs, "updated_at");
        return d;
    }

    /** Keys longer than the column keep a readable head and a hash of the whole. */
    public static String bounded(String s, int max) {
        if (s == null || s.length() <= max) {
            return s;
        }
        String h = sha256(s).substring(0, 16);
        return s.substring(0, max - 17) + "#" + h;
    }

    public static String sha256(String s) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
