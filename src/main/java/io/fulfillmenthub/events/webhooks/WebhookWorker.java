package io.fulfillmenthub.events.webhooks;

import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

import io.fulfillmenthub.events.EventSettings;
import io.fulfillmenthub.events.ReplicaId;
import io.fulfillmenthub.store.Db;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

/**
 * Sends webhooks. Each tick (every {@code hub.events.poll-interval}) it first fans new outbox events out to
 * deliveries, then claims due deliveries that are first in line for their (subscription, subject) and sends them on
 * a bounded pool ({@code hub.events.webhooks.concurrency}, at most {@code per-subscription} at once for one endpoint),
 * so a slow or trickling endpoint holds a few senders for at most the timeout and never the others.
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
    private ScheduledExecutorService ticker;
    private ExecutorService senders;
    private HttpClient http;
    private volatile boolean running;

    void start(@Observes StartupEvent ev) {
        http = HttpClient.newBuilder()
                .followRedirects(HttpClient.Redirect.NEVER)
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(settings.webhookTimeout())
                .build();
        AtomicInteger n = new AtomicInteger();
        senders = Executors.newFixedThreadPool(settings.webhookConcurrency(), r -> {
            Thread t = new Thread(r, "webhook-sender-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        ticker = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "webhook-relay");
            t.setDaemon(true);
            return t;
        });
        running = true;
        long every = Math.max(10, settings.pollInterval().toMillis());
        ticker.scheduleWithFixedDelay(this::tick, every, every, TimeUnit.MILLISECONDS);
        LOG.infof("Webhook relay started (%d senders, retries %s, timeout %s)", settings.webhookConcurrency(),
                settings.retries(), settings.webhookTimeout());
    }

    void stop(@Observes ShutdownEvent ev) {
        running = false;
        if (ticker != null) {
            ticker.shutdownNow();
        }
        if (senders != null) {
            senders.shutdown();
            try {
                senders.awaitTermination(2, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            senders.shutdownNow();
        }
    }

    void tick() {
        if (!running) {
            return;
        }
        try {
            fanOut();
            dispatch();
        } catch (RuntimeException e) {
            LOG.warnf("webhook relay tick failed, retrying: %s", e.getMessage());
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
     * Claims due deliveries up to the free sending capacity and starts them. Endpoints already at their
     * per-subscription limit are left out of the query (and the query is repeated when it only found such ones), so
     * one endpoint's backlog never keeps the others waiting.
     */
    public int dispatch() {
        Duration lease = settings.webhookTimeout().plusSeconds(30);
        int started = 0;
        for (int round = 0; round < 4; round++) {
            int free = settings.webhookConcurrency() - inFlight.get();
            if (free <= 0) {
                break;
            }
            Set<String> busy = new HashSet<>();
            perSubscription.forEach((id, n) -> {
                if (n.get() >= settings.perSubscription()) {
                    busy.add(id);
                }
            });
            Instant now = Instant.now();
            List<Deliveries.Candidate> candidates = db.read(c -> Deliveries.candidates(c, now, free * 4, busy));
            if (candidates.isEmpty()) {
                break;
            }
            boolean skipped = false;
            for (Deliveries.Candidate cand : candidates) {
                if (inFlight.get() >= settings.webhookConcurrency()) {
                    break;
                }
                AtomicInteger forSub = perSubscription.computeIfAbsent(cand.subscriptionId(), k -> new AtomicInteger());
                if (forSub.get() >= settings.perSubscription()) {
                    skipped = true;
                    continue;
                }
                if (!db.tx(c -> Deliveries.claim(c, cand.id(), owner, Instant.now(), lease))) {
                    continue;
                }
                forSub.incrementAndGet();
                inFlight.incrementAndGet();
                started++;
                try {
                    senders.execute(() -> {
                        try {
                            attempt(cand.id());
                        } catch (RuntimeException e) {
                            LOG.warnf("delivery %d: attempt not recorded (%s); retried when its lease runs out",
                                    cand.id(), e.getMessage());
                        } finally {
                            forSub.decrementAndGet();
                            inFlight.decrementAndGet();
                        }
                    });
                } catch (RuntimeException e) {
                    forSub.decrementAndGet();
                    inFlight.decrementAndGet();
                    throw e;
                }
            }
            if (!skipped) {
                break;
            }
        }
        return started;
    }

    /** One attempt of a delivery this replica holds. */
    void attempt(long deliveryId) {
        Deliveries.Job job = db.read(c -> Deliveries.job(c, deliveryId, owner));
        if (job == null) {
            return; // delivered meanwhile, or its subscription was deleted
        }
        Subscription s = job.subscription();
        if (!s.active()) {
            db.tx(c -> {
                Deliveries.abandon(c, deliveryId, owner, "not attempted: the subscription was disabled", Instant.now());
                return null;
            });
            return;
        }
        Instant at = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        Deliveries.Outcome o = send(s, job);
        Duration gap = nextGap(job.attempts() + 1, o);
        String state = db.tx(c -> Deliveries.record(c, job, owner, at, o, gap, settings.disableAfter(), Instant.now()));
        metrics.counter("hub_webhook_attempts_total", "outcome", o.success() ? "delivered"
                : o.status() != null ? "http_" + (o.status() / 100) + "xx" : "error").increment();
        if (o.success()) {
            LOG.debugf("delivery %d of event %s to subscription %s: %s", deliveryId, job.event().id(), s.id(), o.describe());
        } else {
            LOG.infof("delivery %d of event %s to subscription %s failed (attempt %d): %s -> %s", deliveryId,
                    job.event().id(), s.id(), job.attempts() + 1, o.describe(), state);
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

    Deliveries.Outcome send(Subscription s, Deliveries.Job job) {
        long t0 = System.nanoTime();
        URI uri;
        try {
            uri = TargetPolicy.parse(s.url());
            TargetPolicy.checkResolved(uri, settings.allowPrivateTargets());
        } catch (TargetPolicy.Refused e) {
            return new Deliveries.Outcome(null, "target refused: " + e.getMessage(), null, elapsed(t0));
        }
        byte[] body = job.event().cloudEventJson().getBytes(StandardCharsets.UTF_8);
        long ts = Instant.now().getEpochSecond();
        String signature = io.fulfillmenthub.security.signing.StandardWebhooks.sign(secrets.open(s.id(), s.secretSealed()), job.event().id(), ts, body);
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
        CompletableFuture<HttpResponse<InputStream>> f = http.sendAsync(req, HttpResponse.BodyHandlers.ofInputStream());
        try {
            HttpResponse<InputStream> r = f.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            closeQuietly(r.body()); // the status is the answer; a trickling body is not waited for
            int code = r.statusCode();
            Duration retryAfter = (code == 429 || code == 503)
                    ? retryAfter(r.headers().firstValue("Retry-After").orElse(null), Instant.now()) : null;
            String error = null;
            if (code >= 300 && code < 400) {
                error = "HTTP " + code + " redirect (not followed)";
            }
            return new Deliveries.Outcome(code, error, retryAfter, elapsed(t0));
        } catch (TimeoutException e) {
            f.cancel(true);
            return new Deliveries.Outcome(null, "timed out after " + timeout.toMillis() + " ms", null, elapsed(t0));
        } catch (ExecutionException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            String what = cause instanceof HttpTimeoutException ? "timed out after " + timeout.toMillis() + " ms"
                    : cause instanceof ConnectException ? "connection failed"
                    : cause.getClass().getSimpleName() + (cause.getMessage() == null ? "" : ": " + cause.getMessage());
            return new Deliveries.Outcome(null, what, null, elapsed(t0));
        } catch (InterruptedException e) {
            f.cancel(true);
            Thread.currentThread().interrupt();
            return new Deliveries.Outcome(null, "interrupted (hub shutting down)", null, elapsed(t0));
        }
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

    private static void closeQuietly(InputStream in) {
        try {
            if (in != null) {
                in.close();
            }
        } catch (IOException ignored) {
            // nothing to do
        }
    }

    /** This replica's lease owner name (tests). */
    String owner() {
        return owner;
    }
}
