package io.fulfillmenthub.events.kafka;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.fulfillmenthub.testsupport.KafkaBroker;

/** {@link KafkaEventPublisher} against a real in-process broker. */
class KafkaEventPublisherBrokerTest {

    private static KafkaBroker broker;

    @BeforeAll
    static void startBroker() {
        broker = KafkaBroker.start();
    }

    @AfterAll
    static void stopBroker() {
        if (broker != null) {
            broker.close();
        }
    }

    @Test
    void recordsCarryTheCloudEventsHeadersKeyAndData() {
        String topic = "hub.events.headers";
        broker.createTopic(topic, 1);
        byte[] data = "{\"clusterId\":\"c-7\",\"phase\":\"Ready\"}".getBytes(StandardCharsets.UTF_8);
        CloudEventKafkaRecord event = CloudEventKafkaRecord.json("evt-7", "/fulfillment-hub/clusters",
                "io.fulfillmenthub.cluster.ready", OffsetDateTime.of(2025, 3, 1, 10, 15, 30, 500_000_000,
                        ZoneOffset.UTC), "clusters/c-7", data, "c-7");

        try (KafkaEventPublisher publisher = new KafkaEventPublisher(settings(topic))) {
            List<RecordMetadata> acks = publisher.publish(List.of(event));
            assertEquals(1, acks.size());
            assertEquals(0L, acks.get(0).offset());
        }

        List<ConsumerRecord<String, byte[]>> records = TopicReader.readAll(broker.bootstrapServers(), topic);
        assertEquals(1, records.size());
        ConsumerRecord<String, byte[]> r = records.get(0);
        assertEquals("c-7", r.key());
        assertArrayEquals(data, r.value());
        Map<String, String> headers = new LinkedHashMap<>();
        r.headers().forEach(h -> headers.put(h.key(), new String(h.value(), StandardCharsets.UTF_8)));
        assertEquals(Map.of(
                "ce_specversion", "1.0",
                "ce_id", "evt-7",
                "ce_source", "/fulfillment-hub/clusters",
                "ce_type", "io.fulfillmenthub.cluster.ready",
                "ce_time", "2025-03-01T10:15:30.5Z",
                "ce_subject", "clusters/c-7",
                "content-type", "application/json"), headers);
        assertEquals(event, CloudEventKafkaRecord.fromConsumerRecord(r));
    }

    @Test
    void perKeyOrderIsKeptAcrossAThousandEvents() {
        String topic = "hub.events.order";
        broker.createTopic(topic, 3);
        int keys = 10;
        int total = 1000;
        List<CloudEventKafkaRecord> all = Events.sequence(0, total, keys);

        try (KafkaEventPublisher publisher = new KafkaEventPublisher(settings(topic))) {
            for (int from = 0; from < total; from += 100) {
                assertEquals(100, publisher.publish(all.subList(from, from + 100)).size());
            }
        }

        List<ConsumerRecord<String, byte[]>> records = TopicReader.readAll(broker.bootstrapServers(), topic);
        assertEquals(total, records.size(), "every event exactly once");
        Map<String, List<Integer>> seqByKey = new LinkedHashMap<>();
        for (ConsumerRecord<String, byte[]> r : records) {
            seqByKey.computeIfAbsent(r.key(), k -> new ArrayList<>()).add(Events.seq(r));
        }
        assertEquals(keys, seqByKey.size());
        for (Map.Entry<String, List<Integer>> e : seqByKey.entrySet()) {
            List<Integer> expected = new ArrayList<>();
            for (int i = 0; i < total; i++) {
                if (Events.key(i, keys).equals(e.getKey())) {
                    expected.add(i);
                }
            }
            assertEquals(expected, e.getValue(), "order of key " + e.getKey());
        }
    }

    private static KafkaEventPublisher.Settings settings(String topic) {
        return KafkaEventPublisher.Settings.builder(broker.bootstrapServers(), topic)
                .clientId("publisher-test")
                .build();
    }
}
