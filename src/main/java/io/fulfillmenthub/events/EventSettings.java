package io.fulfillmenthub.events;

import java.time.Duration;
import java.util.List;

import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * The events capability's settings. Every key can be set from the environment ({@code hub.events.retry-schedule}
 * &lt;- {@code HUB_EVENTS_RETRY_SCHEDULE}). Durations accept {@code 500ms}, {@code 5s}, {@code 5m}, {@code 2h},
 * {@code 5d} or ISO-8601.
 */
@ApplicationScoped
public class EventSettings {

    /** Gaps before each retry after the first, immediate attempt (a leading {@code 0s}/{@code immediately} is allowed). */
    @ConfigProperty(name = "hub.events.retry-schedule", defaultValue = "5s,5m,30m,2h,5h,10h,14h,20h,24h")
    String retrySchedule;
    /** Random spread of each retry gap: 0.1 = plus or minus 10 %. */
    @ConfigProperty(name = "hub.events.retry-jitter", defaultValue = "0.1")
    double retryJitter;
    /** An endpoint failing without a single success for this long is disabled. */
    @ConfigProperty(name = "hub.events.disable-after", defaultValue = "5d")
    String disableAfter;
    /** Deliver to loopback, link-local and private addresses (off in production: SSRF). */
    @ConfigProperty(name = "hub.events.allow-private-targets", defaultValue = "false")
    boolean allowPrivateTargets;
    /** Whole-request timeout of one webhook attempt. */
    @ConfigProperty(name = "hub.events.webhooks.timeout", defaultValue = "15s")
    String webhookTimeout;
    /** Webhook requests in flight at once on this replica (asynchronous: they cost connections, not threads). */
    @ConfigProperty(name = "hub.events.webhooks.concurrency", defaultValue = "128")
    int webhookConcurrency;
    /** Of which at most this many for one subscription: a slow endpoint cannot take every sender. */
    @ConfigProperty(name = "hub.events.webhooks.per-subscription", defaultValue = "16")
    int perSubscription;
    /** How often the relay and the senders look for work (they are also woken when events arrive here). */
    @ConfigProperty(name = "hub.events.poll-interval", defaultValue = "250ms")
    String pollInterval;
    /** SSE keep-alive comment interval. */
    @ConfigProperty(name = "hub.events.sse.heartbeat", defaultValue = "15s")
    String sseHeartbeat;
    /** Subscriptions one tenant may hold. */
    @ConfigProperty(name = "hub.events.max-subscriptions", defaultValue = "50")
    int maxSubscriptions;
    /** AES-256 key (base64 of 32 bytes) encrypting subscription secrets; a key file in the data dir when unset. */
    @ConfigProperty(name = "hub.events.secret-key")
    java.util.Optional<String> secretKey;

    private List<Duration> retries;
    private Duration disableAfterDuration;
    private Duration timeout;
    private Duration poll;
    private Duration heartbeat;

    @PostConstruct
    void parse() {
        List<Duration> r = Durations.parseList(retrySchedule);
        if (!r.isEmpty() && r.get(0).isZero()) {
            r = r.subList(1, r.size()); // "immediately" names the first attempt, which is always immediate
        }
        retries = List.copyOf(r);
        disableAfterDuration = Durations.parse(disableAfter);
        timeout = Durations.parse(webhookTimeout);
        poll = Durations.parse(pollInterval);
        heartbeat = Durations.parse(sseHeartbeat);
        if (webhookConcurrency < 1 || perSubscription < 1) {
            throw new IllegalArgumentException("hub.events.webhooks.concurrency and per-subscription must be at least 1");
        }
    }

    /** The gap before retry n (0-based: the second attempt is retry 0). Attempts = 1 + retries().size(). */
    public List<Duration> retries() {
        return retries;
    }

    public double retryJitter() {
        return retryJitter;
    }

    public Duration disableAfter() {
        return disableAfterDuration;
    }

    public boolean allowPrivateTargets() {
        return allowPrivateTargets;
    }

    public Duration webhookTimeout() {
        return timeout;
    }

    public int webhookConcurrency() {
        return webhookConcurrency;
    }

    public int perSubscription() {
        return perSubscription;
    }

    public Duration pollInterval() {
        return poll;
    }

    public Duration sseHeartbeat() {
        return heartbeat;
    }

    public int maxSubscriptions() {
        return maxSubscriptions;
    }

    public java.util.Optional<String> secretKey() {
        return secretKey.filter(s -> !s.isBlank());
    }
}
