package io.fulfillmenthub.events.webhooks;

import java.net.ConnectException;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
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
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import io.fulfillmenthub.events.EventSettings;
import io.fulfillmenthub.events.ReplicaId;
import io.fulfillmenthub.store.Db;
import io.fulfillmenthub.security.signing.StandardWebhooks;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.SocketAddress;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

/**
 * Sends webhooks. The relay thread fans new outbox events out to deliveries every {@code hub.events.poll-interval}
 * (one {@code INSERT ... SELECT} per batch of events), and claims due deliveries that are first in line for their
 * (subscription, subject) in batches whenever sending capacity is free: at most {@code hub.events.webhooks.concurrency}
 * requests in flight on this replica, of which at most {@code per-subscription} for one endpoint, so a slow or
 * trickling endpoint holds a bounded share for at most the timeout and never the others. Sends are asynchronous
 * (Vert.x's HTTP client on one of the application's event loops, HTTP/1.1 keep-alive pooled per host: no thread per
 * request and no hand-off between executors). A send's slot is freed as soon as its attempt is over; its outcome goes
 * to the recorder thread, which writes many outcomes in one transaction and wakes the relay: the poll interval is only
 * the safety net. Sent-but-unrecorded deliveries stay leased and PENDING, so the order per subject holds, and they
 * are bounded ({@link #HELD_FACTOR}).
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
    /** Threads that check targets (a blocking name lookup), sign and start sends: the sends themselves are I/O. */
    static final int SENDER_THREADS = 2;
    /** Claimed-and-unrecorded deliveries may reach this many times the concurrency (sends over, waiting to be recorded). */
    static final int HELD_FACTOR = 4;
    /** An idle pooled connection is closed after this long (seconds). */
    static final int KEEP_ALIVE_SECONDS = 30;
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
    /** The application's Vert.x (its event loops): the client's sockets and timers run there. */
    @Inject
    Vertx vertx;

    /** Lease owner name: this process; a test may run a second worker under another name (a second replica). */
    String owner = ReplicaId.get();
    /** Claimed and not yet recorded (sending, or sent and waiting for the recorder): what a stop waits for. */
    private final AtomicInteger inFlight = new AtomicInteger();
    /**
     * HTTP attempts in progress, in all and per subscription: what the concurrency limits bound. A slot is freed when
     * the attempt is over, not when it is recorded, so the database's commit latency does not idle the senders; the
     * ordering per (subscription, subject) still holds, since a delivery stays PENDING until it is recorded.
     */
    private final AtomicInteger sending = new AtomicInteger();
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
    private HttpClient http;
    /**
     * The one event loop every attempt runs on: its connections are then made on the loop their requests run on.
     * Vert.x 4.5.18 acks a response's read window from the request's loop, which races with the connection's when
     * the two differ (eclipse-vertx/vert.x#5683, fixed in 4.5.19); and one loop needs no hand-offs. A loop manages
     * tens of thousands of small requests a second, far beyond what the relay's bookkeeping allows.
     */
    private io.vertx.core.Context loop;
    private volatile boolean running;

    /** A send that is over: its result to record, or {@code result == null} when there is nothing to record. */
    private record Finished(Deliveries.Job job, Deliveries.Result result) {
    }

    void start(@Observes StartupEvent ev) {
        senders = Executors.newFixedThreadPool(SENDER_THREADS, daemon("webhook-sender-"));
        http = client(vertx, settings);
        loop = vertx.getOrCreateContext();
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
        if (senders != null) {
            senders.shutdownNow();
        }
        if (http != null) {
            http.close();
        }
    }

    /**
     * One client for every subscriber: HTTP/1.1 with keep-alive, a pool per host (scheme, host, port) as large as
     * the relay's whole concurrency, since several subscriptions may share a host and the relay already bounds what
     * is in flight (so a send never queues for a connection); redirects are never followed (per request, below).
     */
    static HttpClient client(Vertx vertx, EventSettings settings) {
        int timeoutMs = (int) Math.min(Integer.MAX_VALUE, settings.webhookTimeout().toMillis());
        HttpClientOptions options = new HttpClientOptions()
                .setProtocolVersion(HttpVersion.HTTP_1_1)
                .setKeepAlive(true)
                .setKeepAliveTimeout(KEEP_ALIVE_SECONDS)
                .setPipelining(false)
                .setTryUseCompression(false)
                .setConnectTimeout(timeoutMs)
                .setVerifyHost(true)
                .setName("webhooks");
        PoolOptions pool = new PoolOptions()
                .setHttp1MaxSize(Math.max(settings.webhookConcurrency(), settings.perSubscription()))
                .setMaxWaitQueueSize(-1);
        return vertx.createHttpClient(options, pool);
    }

    private void relayLoop() {
        long every = Math.max(10, settings.pollInterval().toMillis());
        long nextFanOut = System.nanoTime();
        while (running) {
            try {
                if (System.nanoTime() - nextFanOut >= 0) {
                    nextFanOut = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(every);
                    fanOutAndDispatch();
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

    /**
     * Fans out like {@link #fanOut()}, and starts sending after each batch of events: a burst's first deliveries go
     * out while the rest of it is being fanned out, not after all of it.
     */
    int fanOutAndDispatch() {
        return fanOut(this::dispatch);
    }

    /** Fans out every outbox event not yet fanned out (or returns when another replica is doing it). */
    public int fanOut() {
        return fanOut(() -> {
        });
    }

    private int fanOut(Runnable afterEachBatch) {
        int total = 0;
        for (int round = 0; round < 20; round++) {
            int n = db.tx(c -> Deliveries.fanOut(c, FAN_OUT_BATCH, Instant.now()));
            if (n <= 0) {
                break;
            }
            total += n;
            afterEachBatch.run();
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
            // sends over but not yet recorded are bounded too, so a slow database cannot pile up results in memory
            int free = Math.min(settings.webhookConcurrency() - sending.get(),
                    HELD_FACTOR * settings.webhookConcurrency() - inFlight.get());
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
        perSubscription.computeIfAbsent(slotKey(job), k -> new AtomicInteger()).incrementAndGet();
        inFlight.incrementAndGet();
        sending.incrementAndGet();
    }

    /** The per-subscription slot a job counts against ("" when its subscription was deleted meanwhile). */
    private static String slotKey(Deliveries.Job job) {
        return job.subscription() == null ? "" : job.subscription().id();
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
            InetAddress pinned;
            try {
                uri = TargetPolicy.parse(s.url());
                pinned = TargetPolicy.resolve(uri, settings.allowPrivateTargets());
            } catch (TargetPolicy.Refused e) {
                attempted(job, at, new Deliveries.Outcome(null, "target refused: " + e.getMessage(), null, elapsed(t0)));
                return;
            }
            long ts = Instant.now().getEpochSecond();
            String signature = StandardWebhooks.sign(secret(s), job.event().id(), ts, body);
            long timeoutMs = settings.webhookTimeout().toMillis();
            RequestOptions req = request(uri, pinned)
                    .setIdleTimeout(timeoutMs)
                    .putHeader("Content-Type", CONTENT_TYPE)
                    .putHeader("User-Agent", "fulfillment-hub-webhooks/1")
                    .putHeader("webhook-id", job.event().id())
                    .putHeader("webhook-timestamp", Long.toString(ts))
                    .putHeader("webhook-signature", signature);
            Attempt attempt = new Attempt(job, at, t0, timeoutMs);
            loop.runOnContext(v -> attempt.start(req, body));
        } catch (RuntimeException e) {
            LOG.warnf("delivery %d: not attempted (%s); retried when its lease runs out", job.id(), e.getMessage());
            done(job, null);
        }
    }

    /**
     * A POST to the subscriber's URL. With {@code pinned}, the connection goes to that checked address while the Host
     * header, TLS server name and certificate check stay the URL's host; redirects are never followed.
     */
    static RequestOptions request(URI uri, InetAddress pinned) {
        RequestOptions req = new RequestOptions()
                .setMethod(HttpMethod.POST)
                .setAbsoluteURI(uri.toString())
                .setFollowRedirects(false);
        if (pinned != null) {
            // the address as a literal: nothing left to resolve (an InetAddress keeps the name it was looked up by)
            req.setServer(SocketAddress.inetSocketAddress(TargetPolicy.port(uri), pinned.getHostAddress()));
        }
        return req;
    }

    /**
     * One HTTP attempt on the event loop. Over (recorded, slot freed) exactly once: when the response headers are in,
     * when the request fails, or when the whole-attempt timeout fires first (then the request is reset, which closes
     * its connection). The body is then read and dropped in the background: the status is the answer, so a trickling
     * body is not waited for, while the connection goes back to the pool once the body is read. A body larger than
     * {@link #MAX_DRAINED_BODY}, or still coming after the timeout, closes the connection instead. The body is always
     * consumed as it arrives (never paused), so a pooled connection is never handed on with unread bytes.
     */
    private final class Attempt {
        private final Deliveries.Job job;
        private final Instant at;
        private final long t0;
        private final long timeoutMs;
        private final AtomicBoolean over = new AtomicBoolean();
        private HttpClientRequest request; // all on the loop
        private long deadline = -1;

        Attempt(Deliveries.Job job, Instant at, long t0, long timeoutMs) {
            this.job = job;
            this.at = at;
            this.t0 = t0;
            this.timeoutMs = timeoutMs;
        }

        void start(RequestOptions options, byte[] body) {
            try {
                send(options, body);
            } catch (RuntimeException e) { // never leave the slot taken
                finish(failure(e, timeoutMs, t0));
            }
        }

        private void send(RequestOptions options, byte[] body) {
            deadline = vertx.setTimer(timeoutMs, id -> {
                if (finish(new Deliveries.Outcome(null, timedOut(timeoutMs), null, elapsed(t0)))) {
                    HttpClientRequest r = request;
                    if (r != null) {
                        r.reset(); // HTTP/1.1: closes the connection, whatever it was doing
                    }
                }
            });
            http.request(options)
                    .compose(r -> {
                        request = r;
                        if (over.get()) { // timed out while connecting
                            r.reset();
                        }
                        return r.send(Buffer.buffer(body));
                    })
                    .onComplete(ar -> {
                        if (ar.failed()) {
                            finish(failure(ar.cause(), timeoutMs, t0));
                            return;
                        }
                        HttpClientResponse resp = ar.result();
                        drain(resp);
                        finish(response(resp.statusCode(), resp.getHeader("Retry-After"), t0));
                    });
        }

        private void drain(HttpClientResponse resp) {
            long[] bytes = {0};
            long limit = vertx.setTimer(timeoutMs, id -> resp.request().reset());
            resp.exceptionHandler(e -> vertx.cancelTimer(limit));
            resp.endHandler(v -> vertx.cancelTimer(limit));
            resp.handler(chunk -> {
                bytes[0] += chunk.length();
                if (bytes[0] > MAX_DRAINED_BODY) {
                    vertx.cancelTimer(limit);
                    resp.request().reset();
                }
            });
        }

        private boolean finish(Deliveries.Outcome o) {
            if (!over.compareAndSet(false, true)) {
                return false;
            }
            if (deadline >= 0) {
                vertx.cancelTimer(deadline);
            }
            attempted(job, at, o);
            return true;
        }
    }

    /** The outcome of an answered attempt: 2xx succeeds, 3xx is not followed, 429/503 may say when to come back. */
    static Deliveries.Outcome response(int code, String retryAfterHeader, long t0) {
        Duration retryAfter = (code == 429 || code == 503) ? retryAfter(retryAfterHeader, Instant.now()) : null;
        String error = code >= 300 && code < 400 ? "HTTP " + code + " redirect (not followed)" : null;
        return new Deliveries.Outcome(code, error, retryAfter, elapsed(t0));
    }

    /** The outcome of an attempt that got no answer. */
    static Deliveries.Outcome failure(Throwable err, long timeoutMs, long t0) {
        Throwable cause = err;
        while ((cause instanceof CompletionException || cause instanceof ExecutionException) && cause.getCause() != null) {
            cause = cause.getCause();
        }
        // a connect timeout is a ConnectException too (Netty's): it is reported as the timeout it is
        String what = cause instanceof TimeoutException || cause instanceof io.netty.channel.ConnectTimeoutException
                ? timedOut(timeoutMs)
                : cause instanceof ConnectException ? "connection failed"
                : cause instanceof UnknownHostException ? "connection failed: host cannot be resolved"
                : cause.getClass().getSimpleName() + (cause.getMessage() == null ? "" : ": " + cause.getMessage());
        return new Deliveries.Outcome(null, what, null, elapsed(t0));
    }

    private static String timedOut(long timeoutMs) {
        return "timed out after " + timeoutMs + " ms";
    }

    private void attempted(Deliveries.Job job, Instant at, Deliveries.Outcome o) {
        done(job, new Deliveries.Result(job, at, o, nextGap(job.attempts() + 1, o)));
    }

    private void done(Deliveries.Job job, Deliveries.Result result) {
        AtomicInteger n = perSubscription.get(slotKey(job));
        if (n != null) {
            n.decrementAndGet();
        }
        sending.decrementAndGet();
        finished.add(new Finished(job, result));
        wake.release(); // a sending slot is free
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
                inFlight.addAndGet(-batch.size());
                if (!batch.isEmpty()) {
                    wake.release();
                }
                batch.clear();
            }
        }
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
