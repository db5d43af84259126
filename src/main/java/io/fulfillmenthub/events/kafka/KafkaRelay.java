package io.fulfillmenthub.events.kafka;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import io.fulfillmenthub.events.Durations;
import io.fulfillmenthub.events.EventLog;
import io.fulfillmenthub.events.EventSettings;
import io.fulfillmenthub.events.ReplicaId;
import io.fulfillmenthub.events.StoredEvent;
import io.fulfillmenthub.store.Db;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * The Kafka channel: when {@code HUB_KAFKA_BROKERS} is set, every outbox event goes to {@code HUB_KAFKA_TOPIC}
 * (default {@code fulfillment-hub.events}) as a CloudEvents binary-mode record keyed by its subject (the cluster id),
 * in cursor order.
 *
 * <p>One relay is active across replicas: it holds the lease on the {@code kafka} row of {@code relay_cursors}
 * (renewed at every round; another replica takes over when it runs out). The cursor in that row advances only after
 * Kafka acknowledged the whole batch, and only while this replica still holds the lease. After a failure (broker
 * down) the same batch is published again from the stored cursor: nothing is lost, the order per key is kept, and a
 * record may be written twice (consumers dedupe on {@code ce_id}).
 */
@ApplicationScoped
public class KafkaRelay {

    private static final Logger LOG = Logger.getLogger(KafkaRelay.class);
    public static final String CURSOR = "kafka";
    public static final String DEFAULT_TOPIC = "fulfillment-hub.events";

    @ConfigProperty(name = "hub.kafka.brokers")
    Optional<String> brokers;
    @ConfigProperty(name = "hub.kafka.topic", defaultValue = DEFAULT_TOPIC)
    String topic;
    /** Events per published batch. */
    @ConfigProperty(name = "hub.kafka.batch-size", defaultValue = "500")
    int batchSize;
    /** Pause after a failed batch before it is published again. */
    @ConfigProperty(name = "hub.kafka.retry-backoff", defaultValue = "2s")
    String retryBackoff;

    @Inject
    Db db;
    @Inject
    EventSettings settings;

    /** Lease owner name: this process; a test may run a second relay under another name (a second replica). */
    String owner = ReplicaId.get();

    private KafkaEventPublisher publisher;
    private ScheduledExecutorService loop;
    private Duration lease;
    private volatile long notBefore;
    private volatile boolean holding;

    void start(@Observes StartupEvent ev) {
        if (brokers.isPresent() && !brokers.get().isBlank()) {
            enable(KafkaEventPublisher.Settings.builder(brokers.get().trim(), topic).build(), null);
        }
    }

    void stop(@Observes ShutdownEvent ev) {
        disable();
    }

    /**
     * Starts relaying with these publisher settings. The lease defaults to the publish timeout plus 15 s, so a
     * holder never loses it in the middle of a batch that can still succeed.
     */
    public synchronized void enable(KafkaEventPublisher.Settings s, Duration leaseDuration) {
        if (loop != null) {
            throw new IllegalStateException("the Kafka relay is already running");
        }
        publisher = new KafkaEventPublisher(s);
        lease = leaseDuration != null ? leaseDuration : s.publishTimeout().plusSeconds(15);
        loop = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "kafka-relay");
            t.setDaemon(true);
            return t;
        });
        long every = Math.max(10, settings.pollInterval().toMillis());
        loop.scheduleWithFixedDelay(this::round, 0, every, TimeUnit.MILLISECONDS);
        LOG.infof("Kafka relay enabled: topic %s at %s", s.topic(), s.bootstrapServers());
    }

    /** Stops relaying and hands the lease back, so another replica takes over at once. */
    public synchronized void disable() {
        halt();
        try {
            db.tx(c -> Db.update(c, "update relay_cursors set lease_owner = null, lease_until = null"
                    + " where name = ? and lease_owner = ?", CURSOR, owner));
        } catch (RuntimeException e) {
            LOG.debugf("Kafka relay lease not released: %s", e.getMessage());
        }
    }

    /** Stops relaying without handing the lease back, as a replica that dies does. */
    synchronized void halt() {
        if (loop != null) {
            loop.shutdownNow();
            try {
                loop.awaitTermination(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            loop = null;
        }
        if (publisher != null) {
            publisher.close();
            publisher = null;
        }
        holding = false;
    }

    public boolean enabled() {
        return loop != null;
    }

    /** True while this replica is the active relay. */
    public boolean holding() {
        return holding;
    }

    /** The stored cursor: every event up to it was acknowledged by Kafka. */
    public long cursor() {
        return db.read(c -> Db.one(c, "select cursor_value from relay_cursors where name = ?", rs -> rs.getLong(1), CURSOR));
    }

    void round() {
        try {
            if (System.currentTimeMillis() < notBefore || !lease()) {
                return;
            }
            for (int i = 0; i < 20; i++) {
                if (Thread.currentThread().isInterrupted() || publishNextBatch() < batchSize) {
                    return;
                }
            }
        } catch (KafkaPublishException e) {
            notBefore = System.currentTimeMillis() + Durations.parse(retryBackoff).toMillis();
            LOG.warnf("Kafka relay: batch not acknowledged, publishing it again in %s: %s", retryBackoff, e.getMessage());
        } catch (RuntimeException e) {
            notBefore = System.currentTimeMillis() + Durations.parse(retryBackoff).toMillis();
            LOG.warnf("Kafka relay round failed, retrying: %s", e.getMessage());
        }
    }

    /** Takes or renews the lease; false when another replica holds it. */
    private boolean lease() {
        Instant now = Instant.now();
        int n = db.tx(c -> Db.update(c, "update relay_cursors set lease_owner = ?, lease_until = ? where name = ?"
                + " and (lease_owner = ? or lease_owner is null or lease_until is null or lease_until < ?)",
                owner, now.plus(lease), CURSOR, owner, now));
        boolean got = n == 1;
        if (got != holding) {
            LOG.infof(got ? "Kafka relay: this replica (%s) is the active relay" : "Kafka relay: %s lost the lease", owner);
        }
        holding = got;
        return got;
    }

    /** Publishes the events after the cursor (one batch), then advances the cursor. Returns the batch size. */
    private int publishNextBatch() {
        long cursor = cursor();
        List<StoredEvent> events = db.read(c -> EventLog.after(c, cursor, batchSize));
        if (events.isEmpty()) {
            return 0;
        }
        List<CloudEventKafkaRecord> records = new ArrayList<>(events.size());
        for (StoredEvent e : events) {
            records.add(CloudEventKafkaRecord.json(e.id(), e.source(), e.type(), e.occurredAt().atOffset(ZoneOffset.UTC),
                    e.subject(), e.data().getBytes(StandardCharsets.UTF_8), e.subject()));
        }
        publisher.publish(records);
        long last = events.get(events.size() - 1).seq();
        Instant now = Instant.now();
        int n = db.tx(c -> Db.update(c, "update relay_cursors set cursor_value = ?, lease_until = ?, updated_at = ?"
                + " where name = ? and lease_owner = ? and cursor_value = ?", last, now.plus(lease), now, CURSOR, owner, cursor));
        if (n == 0) {
            // another replica took over meanwhile: it publishes from the stored cursor (a few duplicates, no loss)
            holding = false;
            return 0;
        }
        return events.size();
    }
}
