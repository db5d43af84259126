package io.fulfillmenthub.events.kafka;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;

import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.jboss.logging.Logger;

/**
 * Publishes batches of {@link CloudEventKafkaRecord}s to one Kafka topic with an idempotent producer
 * ({@code enable.idempotence=true}, {@code acks=all}, at most 5 requests in flight, unbounded retries within
 * {@code delivery.timeout.ms}), so that Kafka keeps the order of the events of each key and writes no duplicates of
 * its own.
 *
 * <p>{@link #publish(List)} returns only once every record of the batch is acknowledged, and throws
 * {@link KafkaPublishException} otherwise: the outbox relay keeps its cursor and publishes the same batch again later.
 * Records of a failed batch may have been written, so a retried batch can show up twice (at least once; consumers
 * dedupe on the event id). Within a failed batch nothing is sent after the first failure, and after a failure the
 * producer is closed at once (dropping whatever it still queues) and a new one is built for the next batch, so no
 * stale record of an old attempt is written after the retry.
 *
 * <p>Every wait is bounded: a batch fails after {@link Settings#publishTimeout()} at the latest, typically after
 * {@code max.block.ms} when the broker is unreachable and the producer has no metadata yet, or after
 * {@code delivery.timeout.ms} when it had.
 *
 * <p>Plain Java, thread-safe (batches are published one at a time); {@link #close()} it when done.
 */
public final class KafkaEventPublisher implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(KafkaEventPublisher.class);

    /** Settings a caller may not override through {@link Settings#producerProperties()}. */
    private static final Set<String> OWNED = Set.of(
            ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
            ProducerConfig.CLIENT_ID_CONFIG,
            ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG,
            ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG,
            ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG,
            ProducerConfig.ACKS_CONFIG,
            ProducerConfig.RETRIES_CONFIG,
            ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG,
            ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG,
            ProducerConfig.MAX_BLOCK_MS_CONFIG,
            ProducerConfig.LINGER_MS_CONFIG,
            ProducerConfig.TRANSACTIONAL_ID_CONFIG);

    private final Settings settings;
    private final Map<String, Object> producerConfig;
    private final Function<Map<String, Object>, Producer<String, byte[]>> producerFactory;
    private Producer<String, byte[]> producer;
    private boolean closed;

    public KafkaEventPublisher(Settings settings) {
        this(settings, config -> new KafkaProducer<>(config, new StringSerializer(), new ByteArraySerializer()));
    }

    /** With another producer (tests). The factory gets the full producer configuration. */
    KafkaEventPublisher(Settings settings, Function<Map<String, Object>, Producer<String, byte[]>> producerFactory) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.producerFactory = Objects.requireNonNull(producerFactory, "producerFactory");
        this.producerConfig = Collections.unmodifiableMap(buildProducerConfig(settings));
    }

    public Settings settings() {
        return settings;
    }

    public String topic() {
        return settings.topic();
    }

    /** The configuration handed to the Kafka producer. */
    public Map<String, Object> producerConfig() {
        return producerConfig;
    }

    /**
     * Sends the events in list order and waits until Kafka has acknowledged every one of them.
     *
     * @return the metadata (partition, offset) of each event, in list order
     * @throws KafkaPublishException when any event was not acknowledged within the configured timeouts; publish the
     *                               same batch again later
     * @throws IllegalStateException when the publisher is closed
     */
    public synchronized List<RecordMetadata> publish(List<CloudEventKafkaRecord> events) {
        Objects.requireNonNull(events, "events");
        if (closed) {
            throw new IllegalStateException("publisher is closed");
        }
        if (events.isEmpty()) {
            return List.of();
        }
        long deadline = System.nanoTime() + settings.publishTimeout().toNanos();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Callback onFailure = (metadata, exception) -> {
            if (exception != null) {
                failure.compareAndSet(null, exception);
            }
        };

        List<Future<RecordMetadata>> futures = new ArrayList<>(events.size());
        try {
            Producer<String, byte[]> p = producer();
            for (CloudEventKafkaRecord event : events) {
                if (failure.get() != null) {
                    break; // nothing after a failed record: the whole batch is retried, in order
                }
                if (System.nanoTime() - deadline > 0) {
                    failure.compareAndSet(null, new TimeoutException("publish timeout of "
                            + settings.publishTimeout() + " reached while sending"));
                    break;
                }
                futures.add(p.send(event.toProducerRecord(settings.topic()), onFailure));
            }
        } catch (KafkaException | IllegalStateException e) {
            failure.compareAndSet(null, e);
        }

        List<RecordMetadata> acknowledged = new ArrayList<>(events.size());
        boolean interrupted = false;
        for (Future<RecordMetadata> future : futures) {
            try {
                long remaining = Math.max(0L, deadline - System.nanoTime());
                acknowledged.add(future.get(remaining, TimeUnit.NANOSECONDS));
            } catch (ExecutionException e) {
                failure.compareAndSet(null, e.getCause());
            } catch (TimeoutException e) {
                failure.compareAndSet(null, new TimeoutException("no acknowledgement within the publish timeout of "
                        + settings.publishTimeout()));
            } catch (InterruptedException e) {
                interrupted = true;
                failure.compareAndSet(null, e);
                break;
            }
        }

        if (failure.get() == null && acknowledged.size() == events.size()) {
            return acknowledged;
        }
        discardProducer();
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        Throwable cause = failure.get();
        String message = "published " + acknowledged.size() + " of " + events.size() + " events to topic "
                + settings.topic() + "; the batch must be published again"
                + (cause == null ? "" : ": " + cause);
        LOG.warn(message);
        throw new KafkaPublishException(message, cause, events.size(), acknowledged.size());
    }

    /** Flushes and closes the producer, waiting at most {@code request.timeout} for outstanding records. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (producer != null) {
            try {
                producer.close(settings.requestTimeout());
            } catch (RuntimeException e) {
                LOG.debugf(e, "closing the Kafka producer of topic %s", settings.topic());
            } finally {
                producer = null;
            }
        }
    }

    private Producer<String, byte[]> producer() {
        if (producer == null) {
            producer = producerFactory.apply(producerConfig);
        }
        return producer;
    }

    /** Closes the producer at once: records it still holds fail and are never written after our retry. */
    private void discardProducer() {
        Producer<String, byte[]> p = producer;
        producer = null;
        if (p != null) {
            try {
                p.close(Duration.ZERO);
            } catch (RuntimeException e) {
                LOG.debugf(e, "discarding the Kafka producer of topic %s", settings.topic());
            }
        }
    }

    static Map<String, Object> buildProducerConfig(Settings s) {
        Map<String, Object> config = new LinkedHashMap<>();
        for (Map.Entry<String, Object> e : s.producerProperties().entrySet()) {
            if (OWNED.contains(e.getKey())) {
                throw new IllegalArgumentException("producer property " + e.getKey()
                        + " is set by KafkaEventPublisher and cannot be overridden");
            }
            config.put(e.getKey(), e.getValue());
        }
        Object inFlight = config.get(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION);
        if (inFlight == null) {
            config.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 5);
        } else {
            int n = Integer.parseInt(inFlight.toString().trim());
            if (n < 1 || n > 5) {
                throw new IllegalArgumentException(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION
                        + " must be between 1 and 5 for an idempotent producer, not " + n);
            }
        }
        config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, s.bootstrapServers());
        config.put(ProducerConfig.CLIENT_ID_CONFIG, s.clientId());
        config.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        config.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.RETRIES_CONFIG, Integer.MAX_VALUE);
        config.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, millis(s.requestTimeout()));
        config.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, millis(s.deliveryTimeout()));
        config.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, (long) millis(s.maxBlock()));
        config.put(ProducerConfig.LINGER_MS_CONFIG, millis(s.linger()));
        return config;
    }

    private static int millis(Duration d) {
        return (int) Math.min(Integer.MAX_VALUE, d.toMillis());
    }

    /**
     * Where and how to publish.
     *
     * @param bootstrapServers   Kafka {@code bootstrap.servers}
     * @param topic              the topic every event goes to
     * @param clientId           Kafka {@code client.id}
     * @param requestTimeout     {@code request.timeout.ms}: how long to wait for one broker response
     * @param deliveryTimeout    {@code delivery.timeout.ms}: how long the producer keeps retrying one record
     *                           (at least {@code requestTimeout + linger})
     * @param maxBlock           {@code max.block.ms}: how long {@code send} may wait for metadata or buffer space
     * @param linger             {@code linger.ms}
     * @param publishTimeout     upper bound of one {@link #publish(List)} call
     * @param producerProperties further producer settings (security, compression, ...), except those the publisher
     *                           owns; {@code max.in.flight.requests.per.connection} may be lowered (1..5)
     */
    public record Settings(
            String bootstrapServers,
            String topic,
            String clientId,
            Duration requestTimeout,
            Duration deliveryTimeout,
            Duration maxBlock,
            Duration linger,
            Duration publishTimeout,
            Map<String, Object> producerProperties) {

        public static final String DEFAULT_CLIENT_ID = "fulfillment-hub-events";
        public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(5);
        public static final Duration DEFAULT_DELIVERY_TIMEOUT = Duration.ofSeconds(15);
        public static final Duration DEFAULT_MAX_BLOCK = Duration.ofSeconds(5);
        public static final Duration DEFAULT_LINGER = Duration.ofMillis(5);

        public Settings {
            requireText(bootstrapServers, "bootstrapServers");
            requireText(topic, "topic");
            requireText(clientId, "clientId");
            requirePositive(requestTimeout, "requestTimeout");
            requirePositive(deliveryTimeout, "deliveryTimeout");
            requirePositive(maxBlock, "maxBlock");
            Objects.requireNonNull(linger, "linger");
            if (linger.isNegative()) {
                throw new IllegalArgumentException("linger must not be negative");
            }
            if (deliveryTimeout.compareTo(requestTimeout.plus(linger)) < 0) {
                throw new IllegalArgumentException("deliveryTimeout (" + deliveryTimeout
                        + ") must be at least requestTimeout + linger (" + requestTimeout.plus(linger) + ")");
            }
            requirePositive(publishTimeout, "publishTimeout");
            producerProperties = producerProperties == null ? Map.of() : Map.copyOf(producerProperties);
        }

        public static Builder builder(String bootstrapServers, String topic) {
            return new Builder(bootstrapServers, topic);
        }

        private static void requireText(String value, String name) {
            if (value == null || value.isBlank()) {
                throw new IllegalArgumentException(name + " is required");
            }
        }

        private static void requirePositive(Duration d, String name) {
            Objects.requireNonNull(d, name);
            if (d.isZero() || d.isNegative()) {
                throw new IllegalArgumentException(name + " must be positive");
            }
        }

        /** Builds {@link Settings}; the publish timeout defaults to {@code maxBlock + deliveryTimeout + 2 s}. */
        public static final class Builder {
            private final String bootstrapServers;
            private final String topic;
            private String clientId = DEFAULT_CLIENT_ID;
            private Duration requestTimeout = DEFAULT_REQUEST_TIMEOUT;
            private Duration deliveryTimeout = DEFAULT_DELIVERY_TIMEOUT;
            private Duration maxBlock = DEFAULT_MAX_BLOCK;
            private Duration linger = DEFAULT_LINGER;
            private Duration publishTimeout;
            private final Map<String, Object> producerProperties = new LinkedHashMap<>();

            private Builder(String bootstrapServers, String topic) {
                this.bootstrapServers = bootstrapServers;
                this.topic = topic;
            }

            public Builder clientId(String clientId) {
                this.clientId = clientId;
                return this;
            }

            public Builder requestTimeout(Duration requestTimeout) {
                this.requestTimeout = requestTimeout;
                return this;
            }

            public Builder deliveryTimeout(Duration deliveryTimeout) {
                this.deliveryTimeout = deliveryTimeout;
                return this;
            }

            public Builder maxBlock(Duration maxBlock) {
                this.maxBlock = maxBlock;
                return this;
            }

            public Builder linger(Duration linger) {
                this.linger = linger;
                return this;
            }

            public Builder publishTimeout(Duration publishTimeout) {
                this.publishTimeout = publishTimeout;
                return this;
            }

            public Builder producerProperty(String name, Object value) {
                this.producerProperties.put(name, value);
                return this;
            }

            public Builder producerProperties(Map<String, ?> properties) {
                this.producerProperties.putAll(properties);
                return this;
            }

            public Settings build() {
                Duration timeout = publishTimeout;
                if (timeout == null && maxBlock != null && deliveryTimeout != null) {
                    timeout = maxBlock.plus(deliveryTimeout).plusSeconds(2);
                }
                return new Settings(bootstrapServers, topic, clientId, requestTimeout, deliveryTimeout, maxBlock,
                        linger, timeout, producerProperties);
            }
        }
    }
}
