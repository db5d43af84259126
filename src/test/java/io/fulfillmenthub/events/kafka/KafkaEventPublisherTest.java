package io.fulfillmenthub.events.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Future;
import java.util.stream.IntStream;

import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/** The publisher's own logic, on Kafka's MockProducer; {@link KafkaEventPublisherBrokerTest} uses a real broker. */
class KafkaEventPublisherTest {

    private static final KafkaEventPublisher.Settings SETTINGS =
            KafkaEventPublisher.Settings.builder("127.0.0.1:9", "hub.events").build();

    @Test
    void producerIsIdempotentWithBoundedTimeouts() {
        KafkaEventPublisher.Settings settings = KafkaEventPublisher.Settings.builder("broker:9092", "hub.events")
                .clientId("hub-relay")
                .requestTimeout(Duration.ofSeconds(2))
                .deliveryTimeout(Duration.ofSeconds(4))
                .maxBlock(Duration.ofSeconds(1))
                .producerProperty("compression.type", "zstd")
                .build();
        Map<String, Object> config = new KafkaEventPublisher(settings, c -> new MockProducer<>()).producerConfig();

        assertEquals("broker:9092", config.get(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG));
        assertEquals("hub-relay", config.get(ProducerConfig.CLIENT_ID_CONFIG));
        assertEquals(true, config.get(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG));
        assertEquals("all", config.get(ProducerConfig.ACKS_CONFIG));
        assertEquals(5, config.get(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION));
        assertEquals(Integer.MAX_VALUE, config.get(ProducerConfig.RETRIES_CONFIG));
        assertEquals(2000, config.get(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG));
        assertEquals(4000, config.get(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG));
        assertEquals(1000L, config.get(ProducerConfig.MAX_BLOCK_MS_CONFIG));
        assertEquals("zstd", config.get("compression.type"));
        assertEquals(Duration.ofSeconds(7), settings.publishTimeout(), "maxBlock + deliveryTimeout + 2 s");
    }

    @Test
    void settingsThatWouldBreakIdempotenceOrOrderAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> new KafkaEventPublisher(
                KafkaEventPublisher.Settings.builder("b:1", "t").producerProperty("acks", "1").build()));
        assertThrows(IllegalArgumentException.class, () -> new KafkaEventPublisher(
                KafkaEventPublisher.Settings.builder("b:1", "t").producerProperty("enable.idempotence", false).build()));
        assertThrows(IllegalArgumentException.class, () -> new KafkaEventPublisher(KafkaEventPublisher.Settings
                .builder("b:1", "t").producerProperty("max.in.flight.requests.per.connection", 6).build()));
        assertThrows(IllegalArgumentException.class, () -> KafkaEventPublisher.Settings.builder("b:1", "t")
                .requestTimeout(Duration.ofSeconds(10)).deliveryTimeout(Duration.ofSeconds(5)).build());
        assertThrows(IllegalArgumentException.class, () -> KafkaEventPublisher.Settings.builder(" ", "t").build());
    }

    @Test
    void publishesInOrderAndReturnsTheAcknowledgements() {
        List<MockProducer<String, byte[]>> producers = new ArrayList<>();
        try (KafkaEventPublisher publisher = new KafkaEventPublisher(SETTINGS, c -> track(producers, mock()))) {
            List<RecordMetadata> acks = publisher.publish(events(0, 5));
            assertEquals(5, acks.size());
            assertEquals(List.of("evt-0", "evt-1", "evt-2", "evt-3", "evt-4"), ids(producers.get(0).history()));
            assertEquals(List.of(), publisher.publish(List.of()));
            assertEquals(1, producers.size(), "one producer while nothing fails");
        }
        assertTrue(producers.get(0).closed());
    }

    @Test
    void aFailureStopsTheBatchDiscardsTheProducerAndTheRetryUsesANewOne() {
        List<MockProducer<String, byte[]>> producers = new ArrayList<>();
        try (KafkaEventPublisher publisher = new KafkaEventPublisher(SETTINGS,
                c -> track(producers, producers.isEmpty() ? failingAt(2) : mock()))) {
            KafkaPublishException e = assertThrows(KafkaPublishException.class,
                    () -> publisher.publish(events(0, 5)));
            assertEquals(5, e.batchSize());
            assertEquals(2, e.acknowledged());
            assertEquals(List.of("evt-0", "evt-1"), ids(producers.get(0).history()), "nothing sent after a failure");
            assertTrue(producers.get(0).closed(), "the failed producer is discarded");

            publisher.publish(events(0, 5));
            assertEquals(2, producers.size());
            assertEquals(List.of("evt-0", "evt-1", "evt-2", "evt-3", "evt-4"), ids(producers.get(1).history()));
        }
    }

    @Test
    void aClosedPublisherRefusesToPublish() {
        KafkaEventPublisher publisher = new KafkaEventPublisher(SETTINGS, c -> mock());
        publisher.close();
        assertThrows(IllegalStateException.class, () -> publisher.publish(events(0, 1)));
    }

    static List<CloudEventKafkaRecord> events(int from, int to) {
        return IntStream.range(from, to)
                .mapToObj(i -> CloudEventKafkaRecord.json("evt-" + i, "/fulfillment-hub", "io.fulfillmenthub.test",
                        null, null, ("{\"n\":" + i + "}").getBytes(StandardCharsets.UTF_8), "cluster-" + (i % 3)))
                .toList();
    }

    private static MockProducer<String, byte[]> mock() {
        return new MockProducer<>(true, null, new StringSerializer(), new ByteArraySerializer());
    }

    /** Accepts {@code n} records, then fails every send synchronously. */
    private static MockProducer<String, byte[]> failingAt(int n) {
        return new MockProducer<>(true, null, new StringSerializer(), new ByteArraySerializer()) {
            @Override
            public synchronized Future<RecordMetadata> send(ProducerRecord<String, byte[]> record, Callback callback) {
                if (history().size() >= n) {
                    throw new KafkaException("broker gone");
                }
                return super.send(record, callback);
            }
        };
    }

    private static MockProducer<String, byte[]> track(List<MockProducer<String, byte[]>> all,
            MockProducer<String, byte[]> p) {
        all.add(p);
        return p;
    }

    private static List<String> ids(List<ProducerRecord<String, byte[]>> records) {
        return records.stream()
                .map(r -> new String(r.headers().lastHeader("ce_id").value(), StandardCharsets.UTF_8))
                .toList();
    }
}
