package io.fulfillmenthub.events.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.fulfillmenthub.testsupport.KafkaBroker;

/** The broker goes away and comes back: publish fails fast, the relay's retry of the same batch loses nothing. */
class KafkaEventPublisherOutageTest {

    private static final String TOPIC = "hub.events.outage";
    private static final int KEYS = 7;

    private KafkaBroker broker;

    @BeforeEach
    void startBroker() {
        broker = KafkaBroker.start();
        broker.createTopic(TOPIC, 3);
    }

    @AfterEach
    void closeBroker() {
        if (broker != null) {
            broker.close();
        }
    }

    @Test
    void failsFastWhileTheBrokerIsDownAndTheRetriedBatchArrivesAfterItsReturn() {
        KafkaEventPublisher.Settings settings = KafkaEventPublisher.Settings.builder(broker.bootstrapServers(), TOPIC)
                .requestTimeout(Duration.ofSeconds(1))
                .deliveryTimeout(Duration.ofSeconds(2))
                .maxBlock(Duration.ofSeconds(2))
                .build();
        Duration limit = settings.publishTimeout().plusSeconds(2);
        List<CloudEventKafkaRecord> before = Events.sequence(0, 200, KEYS);
        List<CloudEventKafkaRecord> during = Events.sequence(200, 400, KEYS);
        List<CloudEventKafkaRecord> after = Events.sequence(400, 600, KEYS);

        try (KafkaEventPublisher publisher = new KafkaEventPublisher(settings)) {
            publisher.publish(before);

            broker.stop();
            // first the producer that was connected, then the fresh one built after that failure: either way the
            // batch fails within max.block (no metadata) or delivery.timeout (records queued), never later
            for (int attempt = 1; attempt <= 2; attempt++) {
                long t0 = System.nanoTime();
                KafkaPublishException e = assertThrows(KafkaPublishException.class, () -> publisher.publish(during));
                Duration took = Duration.ofNanos(System.nanoTime() - t0);
                System.out.printf("publish attempt %d with the broker down failed after %d ms: %s%n",
                        attempt, took.toMillis(), e.getMessage());
                assertTrue(took.compareTo(limit) < 0, "publish gave up after " + took + ", limit " + limit);
                assertEquals(200, e.batchSize());
            }

            broker.restart();
            publishWithRetries(publisher, during);
            publisher.publish(after);
        }

        List<ConsumerRecord<String, byte[]>> records = TopicReader.readAll(broker.bootstrapServers(), TOPIC);
        Map<Integer, Integer> copies = new HashMap<>();
        Map<String, List<Integer>> firstSeen = new LinkedHashMap<>();
        Set<Integer> seen = new HashSet<>();
        for (ConsumerRecord<String, byte[]> r : records) {
            int seq = Events.seq(r);
            copies.merge(seq, 1, Integer::sum);
            assertEquals(Events.key(seq, KEYS), r.key());
            if (seen.add(seq)) {
                firstSeen.computeIfAbsent(r.key(), k -> new ArrayList<>()).add(seq);
            }
        }
        for (int i = 0; i < 600; i++) {
            assertTrue(copies.containsKey(i), "event " + i + " lost");
            if (i < 200 || i >= 400) {
                assertEquals(1, copies.get(i), "event " + i + " of a batch that did not fail is duplicated");
            }
        }
        for (Map.Entry<String, List<Integer>> e : firstSeen.entrySet()) {
            List<Integer> sorted = new ArrayList<>(e.getValue());
            sorted.sort(null);
            assertEquals(sorted, e.getValue(), "first occurrences of key " + e.getKey() + " out of order");
        }
        System.out.printf("%d records for 600 events%n", records.size());
    }

    /** What the outbox relay does: keep its cursor and publish the same batch again until it is acknowledged. */
    private static void publishWithRetries(KafkaEventPublisher publisher, List<CloudEventKafkaRecord> batch) {
        KafkaPublishException last = null;
        for (int attempt = 1; attempt <= 3; attempt++) {
            try {
                publisher.publish(batch);
                return;
            } catch (KafkaPublishException e) {
                last = e;
            }
        }
        throw new AssertionError("the batch was not published after the broker returned", last);
    }
}
