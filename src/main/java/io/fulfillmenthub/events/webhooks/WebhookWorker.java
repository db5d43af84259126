package io.fulfillmenthub.events.webhooks;

import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Flow;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import io.fulfillmenthub.events.EventSettings;
import io.fulfillmenthub.events.ReplicaId;
import io.fulfillmenthub.store.Db;
import io.fulfillmenthub.security.signing.StandardWebhooks;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

/**
 * Sends webhooks. The relay thread fans new outbox events out to deliveries every {@code hub.events.poll-interval}
 * (one {@code INSERT ... SELECT} per batch of events), and claims due deliveries that are first in line for their
 * (subscription, subject) in batches whenever sending capacity is free: at most {@code hub.events.webhooks.concurrency}
 * requests in flight on this replica, of which at most {@code per-subscription} for one endpoint, so a slow or
 * trickling endpoint holds a bounded share for at most the timeout and never the others. Sends are asynchronous (JDK
 * {@code HttpClient}, HTTP/1.1 keep-alive, a few threads for any number in flight). A finished send goes to the
 * recorder thread, which writes many outcomes in one transaction, frees their slots and wakes the relay at once: the
 * poll interval is only the safety net.
 *
 * <p>Standard Webhooks: {@code webhook-id} = event id (stable across retries), {@code webhook-timestamp} of the
 * attempt, {@code webhook-signature}; body = the structured CloudEvent. Success is 2xx only; redirects are not
 * followed; 410 disables the subscription; {@code Retry-After} on 429/503 delays the next attempt at least that long.
 */
@ApplicationScoped
public class WebhookWorker {

    private static final Logger LOG = Logger.getLogger(WebhookWorker.class);
    static final String CONTENT_TYPE = "application/cloudevents+json";
    static final int FAN_OUT_BATCH = 500;
    /** Most deliveries claimed by one statement. */
    static final int CLAIM_BATCH = 256;
    /** Most outcomes recorded in one transaction. */
    static final int RECORD_BATCH = 500;
    /** Threads that check targets, sign and start sends, and the HTTP client's own: the sends themselves are I/O. */
    static final int SENDER_THREADS = 2;
    /** A response body is read and dropped in the background, up to this much; then the connection is closed. */
    static final long MAX_DRAINED_BODY = 1 << 20;

    @Inject
    Db db;
    @Inject
    EventSettings settings;
    @Inject
    SecretBox secrets;
    @Inject
    MeterRegistry metrics;

    /** Lease owner name: this process; a test may run a second worker under another name (a second replica). */
    String owner = ReplicaId.get();
    private final AtomicInteger inFlight = new AtomicInteger();
    private final Map<String, AtomicInteger> perSubscription = new ConcurrentHashMap<>();
    /** Permits = "look again": a slot was freed. The relay drains them and runs one more claim round. */
    private final Semaphore wake = new Semaphore(0);
    private final LinkedBlockingQueue<Finished> finished = new LinkedBlockingQueue<>();
    /** Opened secrets by subscription id, with the sealed form they came from. */
    private final Map<String, String[]> openSecrets = new ConcurrentHashMap<>();
    private final Map<String, Counter> attemptCounters = new ConcurrentHashMap<>();
    private Thread relay;
    private Thread recorder;
    private ExecutorService senders;
    private ExecutorService httpThreads;
    private ScheduledExecutorService timer;
    private HttpClient http;
    private volatile boolean running;

    /** A send that is over: its result to record, or {@code result == null} when there is nothing to record. */
    private record Finished(Deliveries.Job job, Deliveries.Result result) {
    }

    void start(@Observes StartupEvent ev) {
        senders = Executors.newFixedThreadPool(SENDER_THREADS, daemon("webhook-sender-"));
        httpThreads = Executors.newFixedThreadPool(SENDER_THREADS, daemon("webhook-http-"));
        ScheduledThreadPoolExecutor t = new ScheduledThreadPoolExecutor(1, daemon("webhook-timer-"));
        t.setRemoveOnCancelPolicy(true);
        timer = t;
        http = HttpClient.newBuilder()
                .followRedirects(HttpClient.Redirect.NEVER)
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(settings.webhookTimeout())
                .executor(httpThreads)
                .build();
        running = true;
        relay = daemon("webhook-relay").newThread(this::relayLoop);
        recorder = daemon("webhook-recorder").newThread(this::recordLoop);
        relay.setName("webhook-relay");
        recorder.setName("webhook-recorder");
        relay.start();
        recorder.start();
        LOG.infof("Webhook relay started (%d in flight, %d per subscription, retries %s, timeout %s)",
                settings.webhookConcurrency(), settings.perSubscription(), settings.retries(), settings.webhookTimeout());
    }

    void stop(@Observes ShutdownEvent ev) {
        running = false;
        wake.release();
        join(relay, 2000);
        // what is in flight finishes within the timeout; give it a moment to be recorded, the rest is sent again
        // by whichever replica finds its lease run out
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
        while (inFlight.get() > 0 && System.nanoTime() < until) {
            sleep(20);
        }
        if (recorder != null) {
            recorder.interrupt();
            join(recorder, 2000);
        }
        for (ExecutorService e : new ExecutorService[] {senders, httpThreads, timer}) {
            if (e != null) {
                e.shutdownNow();
            }
        }
    }

    private void relayLoop() {
        long every = Math.max(10, settings.pollInterval().toMillis());
        long nextFanOut = System.nanoTime();
        while (running) {
            try {
                if (System.nanoTime() - nextFanOut >= 0) {
                    nextFanOut = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(every);
                    fanOut();
                }
                dispatch();
            } catch (RuntimeException e) {
                LOG.warnf("webhook relay round failed, retrying: %s", e.getMessage());
                sleep(every);
            }
            long waitMs = Math.max(1, TimeUnit.NANOSECONDS.toMillis(nextFanOut - System.nanoTime()));
            try {
                if (wake.tryAcquire(waitMs, TimeUnit.MILLISECONDS)) {
                    wake.drainPermits();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** Fans out every outbox event not yet fanned out (or returns when another replica is doing it). */
    public int fanOut() {
        int total = 0;
        for (int round = 0; round < 20; round++) {
            int n = db.tx(c -> Deliveries.fanOut(c, FAN_OUT_BATCH, Instant.now()));
            if (n <= 0) {
                break;
            }
            total += n;
            if (n < FAN_OUT_BATCH) {
                break;
            }
        }
        return total;
    }

    /**
     * Claims due deliveries up to the free sending capacity, a batch per statement, and starts them. Endpoints
     * already at their per-subscription limit are left out of the query (and the query is repeated when some were
     * left for lack of room), so one endpoint's backlog never keeps the others waiting.
     */
    public int dispatch() {
        Duration lease = settings.webhookTimeout().plusSeconds(30);
        int started = 0;
        for (int round = 0; round < 16; round++) {
            int free = settings.webhookConcurrency() - inFlight.get();
            if (free <= 0) {
                break;
            }
            int want = Math.min(free, CLAIM_BATCH);
            Set<String> busy = new HashSet<>();
            perSubscription.forEach((id, n) -> {
                if (n.get() >= settings.perSubscription()) {
                    busy.add(id);
                }
            });
            Instant now = Instant.now();
            Deliveries.Claimed claimed = db.tx(c -> Deliveries.claim(c, owner, now, lease, want, busy, this::room));
            if (claimed.jobs().isEmpty()) {
                break;
            }
            Map<Long, byte[]> bodies = new HashMap<>();
            for (Deliveries.Job job : claimed.jobs()) {
                started++;
                begin(job);
                if (job.subscription() == null || job.event() == null) {
                    done(job, null); // deleted meanwhile
                } else if (!job.subscription().active()) {
                    done(job, Deliveries.Result.abandoned(job));
                } else {
                    byte[] body = bodies.computeIfAbsent(job.event().seq(),
                            k -> job.event().cloudEventJson().getBytes(StandardCharsets.UTF_8));
                    submit(job, body);
                }
            }
            if (claimed.jobs().size() < want && !claimed.limited()) {
                break;
            }
        }
        return started;
    }

    private int room(String subscriptionId) {
        AtomicInteger n = perSubscription.get(subscriptionId);
        return settings.perSubscription() - (n == null ? 0 : n.get());
    }

    private void begin(Deliveries.Job job) {
        perSubscription.computeIfAbsent(job.subscription() == null ? "" : job.subscription().id(),
                k -> new AtomicInteger()).incrementAndGet();
        inFlight.incrementAndGet();
    }

    private void submit(Deliveries.Job job, byte[] body) {
        try {
            senders.execute(() -> send(job, body));
        } catch (RejectedExecutionException e) {
            done(job, null); // shutting down: its lease runs out and it is sent again
        }
    }

    /** Checks the target, signs and starts one attempt; its outcome goes to the recorder when it is over. */
    void send(Deliveries.Job job, byte[] body) {
        long t0 = System.nanoTime();
        Instant at = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        try {
            Subscription s = job.subscription();
            URI uri;
            try {
                uri = TargetPolicy.parse(s.url());
                TargetPolicy.checkResolved(uri, settings.allowPrivateTargets());
            } catch (TargetPolicy.Refused e) {
                attempted(job, at, new Deliveries.Outcome(null, "target refused: " + e.getMessage(), null, elapsed(t0)));
                return;
            }
            long ts = Instant.now().getEpochSecond();
            String signature = StandardWebhooks.sign(secret(s), job.event().id(), ts, body);
            Duration timeout = settings.webhookTimeout();
            HttpRequest req = HttpRequest.newBuilder(uri)
                    .timeout(timeout)
                    .header("Content-Type", CONTENT_TYPE)
                    .header("User-Agent", "fulfillment-hub-webhooks/1")
                    .header("webhook-id", job.event().id())
                    .header("webhook-timestamp", Long.toString(ts))
                    .header("webhook-signature", signature)
                    .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                    .build();
            CompletableFuture<HttpResponse<Void>> f = http.sendAsync(req, info -> new Drain(timer, timeout));
            // the request timeout covers everything up to the response headers; this only guarantees the slot back
            ScheduledFuture<?> guard = timer.schedule(() -> f.cancel(true), timeout.toMillis() + 5000,
                    TimeUnit.MILLISECONDS);
            f.whenComplete((r, err) -> {
                guard.cancel(false);
                attempted(job, at, outcome(r, err, timeout, t0));
            });
        } catch (RuntimeException e) {
            LOG.warnf("delivery %d: not attempted (%s); retried when its lease runs out", job.id(), e.getMessage());
            done(job, null);
        }
    }

    static Deliveries.Outcome outcome(HttpResponse<?> r, Throwable err, Duration timeout, long t0) {
        if (err == null) {
            int code = r.statusCode();
            Duration retryAfter = (code == 429 || code == 503)
                    ? retryAfter(r.headers().firstValue("Retry-After").orElse(null), Instant.now()) : null;
            String error = code >= 300 && code < 400 ? "HTTP " + code + " redirect (not followed)" : null;
            return new Deliveries.Outcome(code, error, retryAfter, elapsed(t0));
        }
        Throwable cause = err;
        while ((cause instanceof CompletionException || cause instanceof ExecutionException) && cause.getCause() != null) {
            cause = cause.getCause();
        }
        String what = cause instanceof HttpTimeoutException || cause instanceof CancellationException
                ? "timed out after " + timeout.toMillis() + " ms"
                : cause instanceof ConnectException ? "connection failed"
                : cause.getClass().getSimpleName() + (cause.getMessage() == null ? "" : ": " + cause.getMessage());
        return new Deliveries.Outcome(null, what, null, elapsed(t0));
    }

    private void attempted(Deliveries.Job job, Instant at, Deliveries.Outcome o) {
        done(job, new Deliveries.Result(job, at, o, nextGap(job.attempts() + 1, o)));
    }

    private void done(Deliveries.Job job, Deliveries.Result result) {
        finished.add(new Finished(job, result));
    }

    private void recordLoop() {
        List<Finished> batch = new ArrayList<>();
        while (running || inFlight.get() > 0) {
            try {
                Finished first = finished.poll(100, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                batch.add(first);
                finished.drainTo(batch, RECORD_BATCH - 1);
                record(batch);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException e) {
                LOG.warnf("webhook recorder: %s", e.getMessage());
            } finally {
                for (Finished f : batch) {
                    release(f.job());
                }
                if (!batch.isEmpty()) {
                    wake.release();
                }
                batch.clear();
            }
        }
    }

    private void release(Deliveries.Job job) {
        AtomicInteger n = perSubscription.get(job.subscription() == null ? "" : job.subscription().id());
        if (n != null) {
            n.decrementAndGet();
        }
        inFlight.decrementAndGet();
    }

    /** Records finished sends in one transaction; when that fails, one by one (so one bad row costs only itself). */
    private void record(List<Finished> batch) {
        List<Deliveries.Result> results = new ArrayList<>(batch.size());
        for (Finished f : batch) {
            if (f.result() != null) {
                results.add(f.result());
            }
        }
        if (results.isEmpty()) {
            return;
        }
        try {
            List<String> states = db.tx(c -> Deliveries.recordAll(c, owner, results, settings.disableAfter(), Instant.now()));
            for (int i = 0; i < results.size(); i++) {
                recorded(results.get(i), states.get(i));
            }
        } catch (RuntimeException e) {
            if (results.size() == 1) {
                notRecorded(results.get(0), e);
                return;
            }
            LOG.debugf("recording %d webhook attempts at once failed (%s); one by one", results.size(), e.getMessage());
            for (Deliveries.Result r : results) {
                try {
                    recorded(r, db.tx(c -> Deliveries.recordAll(c, owner, List.of(r), settings.disableAfter(),
                            Instant.now())).get(0));
                } catch (RuntimeException e1) {
                    notRecorded(r, e1);
                }
            }
        }
    }

    private void notRecorded(Deliveries.Result r, RuntimeException e) {
        LOG.warnf("delivery %d: attempt not recorded (%s); retried when its lease runs out", r.job().id(), e.getMessage());
    }

    private void recorded(Deliveries.Result r, String state) {
        Deliveries.Outcome o = r.outcome();
        if (o == null) {
            return;
        }
        String outcome = o.success() ? "delivered" : o.status() != null ? "http_" + (o.status() / 100) + "xx" : "error";
        attemptCounters.computeIfAbsent(outcome, k -> metrics.counter("hub_webhook_attempts_total", "outcome", k))
                .increment();
        Deliveries.Job job = r.job();
        if (o.success()) {
            LOG.debugf("delivery %d of event %s to subscription %s: %s", job.id(), job.event().id(),
                    job.subscription().id(), o.describe());
        } else {
            LOG.infof("delivery %d of event %s to subscription %s failed (attempt %d): %s -> %s", job.id(),
                    job.event().id(), job.subscription().id(), job.attempts() + 1, o.describe(), state);
        }
    }

    private String secret(Subscription s) {
        String[] known = openSecrets.get(s.id());
        if (known != null && known[0].equals(s.secretSealed())) {
            return known[1];
        }
        String open = secrets.open(s.id(), s.secretSealed());
        openSecrets.put(s.id(), new String[] {s.secretSealed(), open});
        return open;
    }

    /**
     * Reads a response body and drops it, in the background: the status is the answer, so the send is over when the
     * headers are in (a trickling body is not waited for), while the connection goes back to the pool once the body
     * is read. A body larger than {@link #MAX_DRAINED_BODY}, or still coming after the timeout, closes the connection.
     */
    static final class Drain implements HttpResponse.BodySubscriber<Void> {
        private static final CompletableFuture<Void> NOW = CompletableFuture.completedFuture(null);
        private final AtomicReference<Flow.Subscription> subscription = new AtomicReference<>();
        private final ScheduledFuture<?> deadline;
        private volatile boolean over;
        private long bytes;

        Drain(ScheduledExecutorService timer, Duration limit) {
            deadline = timer.schedule(this::cancel, limit.toMillis(), TimeUnit.MILLISECONDS);
        }

        @Override
        public void onSubscribe(Flow.Subscription s) {
            subscription.set(s);
            if (over) {
                s.cancel();
            } else {
                s.request(Long.MAX_VALUE);
            }
        }

        @Override
        public void onNext(List<ByteBuffer> items) {
            for (ByteBuffer b : items) {
                bytes += b.remaining();
            }
            if (bytes > MAX_DRAINED_BODY) {
                cancel();
            }
        }

        @Override
        public void onError(Throwable t) {
            finish();
        }

        @Override
        public void onComplete() {
            finish();
        }

        private void finish() {
            over = true;
            deadline.cancel(false);
        }

        private void cancel() {
            over = true;
            Flow.Subscription s = subscription.get();
            if (s != null) {
                s.cancel();
            }
        }

        @Override
        public CompletionStage<Void> getBody() {
            return NOW;
        }
    }

    /** The gap before the next attempt after {@code attempt} failed, or null when that was the last one. */
    Duration nextGap(int attempt, Deliveries.Outcome o) {
        List<Duration> retries = settings.retries();
        if (o.success() || o.gone() || attempt > retries.size()) {
            return null;
        }
        Duration base = retries.get(attempt - 1);
        double j = settings.retryJitter();
        long ms = base.toMillis();
        if (j > 0 && ms > 0) {
            ms = Math.round(ms * (1 + ThreadLocalRandom.current().nextDouble(-j, j)));
        }
        Duration gap = Duration.ofMillis(Math.max(0, ms));
        if (o.retryAfter() != null && o.retryAfter().compareTo(gap) > 0) {
            gap = o.retryAfter();
        }
        return gap;
    }

    /** {@code Retry-After}: delay-seconds or an HTTP date; null when absent or unreadable. Capped at one day. */
    static Duration retryAfter(String value, Instant now) {
        if (value == null || value.isBlank()) {
            return null;
        }
        Duration d;
        try {
            d = Duration.ofSeconds(Long.parseLong(value.trim()));
        } catch (NumberFormatException e) {
            try {
                d = Duration.between(now, ZonedDateTime.parse(value.trim(), DateTimeFormatter.RFC_1123_DATE_TIME).toInstant());
            } catch (RuntimeException e2) {
                return null;
            }
        }
        if (d.isNegative()) {
            return Duration.ZERO;
        }
        return d.compareTo(Duration.ofDays(1)) > 0 ? Duration.ofDays(1) : d;
    }

    private static long elapsed(long t0) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
    }

    private static ThreadFactory daemon(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void join(Thread t, long ms) {
        if (t == null) {
            return;
        }
        try {
            t.join(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Requests in flight on this replica (tests). */
    int inFlight() {
        return inFlight.get();
    }

    /** This replica's lease owner name (tests). */
    String owner() {
        return owner;
    }
}
