package io.fulfillmenthub.events.kafka;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.Test;

class CloudEventKafkaRecordTest {

    private static final byte[] DATA = "{\"clusterId\":\"c-42\",\"phase\":\"Ready\"}".getBytes(StandardCharsets.UTF_8);

    private static CloudEventKafkaRecord event() {
        return CloudEventKafkaRecord.json("evt-1", "/fulfillment-hub/clusters", "io.fulfillmenthub.cluster.ready",
                OffsetDateTime.of(2025, 3, 1, 10, 15, 30, 0, ZoneOffset.UTC), "clusters/c-42", DATA, "c-42");
    }

    @Test
    void binaryModeHeadersKeyAndValue() {
        ProducerRecord<String, byte[]> record = event().toProducerRecord("hub.events");

        assertEquals("hub.events", record.topic());
        assertNull(record.partition(), "the partition follows the key");
        assertEquals("c-42", record.key());
        assertArrayEquals(DATA, record.value());
        assertEquals(List.of("ce_specversion", "ce_id", "ce_source", "ce_type", "ce_time", "ce_subject",
                "content-type"), headerNames(record));
        assertEquals("1.0", header(record, "ce_specversion"));
        assertEquals("evt-1", header(record, "ce_id"));
        assertEquals("/fulfillment-hub/clusters", header(record, "ce_source"));
        assertEquals("io.fulfillmenthub.cluster.ready", header(record, "ce_type"));
        assertEquals("2025-03-01T10:15:30Z", header(record, "ce_time"));
        assertEquals("clusters/c-42", header(record, "ce_subject"));
        assertEquals("application/json", header(record, "content-type"));
    }

    @Test
    void optionalAttributesAreLeftOut() {
        CloudEventKafkaRecord e = new CloudEventKafkaRecord("evt-2", "urn:hub", "t", null, null, null, DATA, "k");
        ProducerRecord<String, byte[]> record = e.toProducerRecord("t");
        assertEquals(List.of("ce_specversion", "ce_id", "ce_source", "ce_type", "content-type"), headerNames(record));
        assertEquals("application/json", e.dataContentType());
    }

    @Test
    void timeIsRfc3339() {
        assertEquals("2025-03-01T10:15:30.123Z", CloudEventKafkaRecord.formatRfc3339(
                OffsetDateTime.of(2025, 3, 1, 10, 15, 30, 123_000_000, ZoneOffset.UTC)));
        assertEquals("2025-03-01T12:00:00+02:00", CloudEventKafkaRecord.formatRfc3339(
                OffsetDateTime.of(2025, 3, 1, 12, 0, 0, 0, ZoneOffset.ofHours(2))));
        // RFC 3339 offsets have no seconds: such a time is written in UTC
        assertEquals("2025-03-01T11:59:30Z", CloudEventKafkaRecord.formatRfc3339(
                OffsetDateTime.of(2025, 3, 1, 12, 0, 0, 0, ZoneOffset.ofTotalSeconds(30))));
    }

    @Test
    void readsBackFromAConsumedRecord() {
        CloudEventKafkaRecord e = event();
        ProducerRecord<String, byte[]> p = e.toProducerRecord("hub.events");
        ConsumerRecord<String, byte[]> c = new ConsumerRecord<>("hub.events", 0, 7L, 0L, TimestampType.CREATE_TIME,
                -1, -1, p.key(), p.value(), p.headers(), Optional.empty());
        assertEquals(e, CloudEventKafkaRecord.fromConsumerRecord(c));
    }

    @Test
    void rejectsWhatIsNotAValidEvent() {
        assertThrows(IllegalArgumentException.class,
                () -> new CloudEventKafkaRecord("", "/s", "t", null, null, null, DATA, "k"));
        assertThrows(IllegalArgumentException.class,
                () -> new CloudEventKafkaRecord("id", "not a uri", "t", null, null, null, DATA, "k"));
        assertThrows(IllegalArgumentException.class,
                () -> new CloudEventKafkaRecord("id", "/s", " ", null, null, null, DATA, "k"));
        assertThrows(IllegalArgumentException.class,
                () -> new CloudEventKafkaRecord("id", "/s", "t", null, null, null, DATA, null));
        assertThrows(NullPointerException.class,
                () -> new CloudEventKafkaRecord("id", "/s", "t", null, null, null, null, "k"));
    }

    @Test
    void dataIsCopied() {
        byte[] data = DATA.clone();
        CloudEventKafkaRecord e = new CloudEventKafkaRecord("id", "/s", "t", null, null, null, data, "k");
        data[0] = 'X';
        assertArrayEquals(DATA, e.data());
    }

    private static List<String> headerNames(ProducerRecord<String, byte[]> record) {
        List<String> names = new ArrayList<>();
        for (Header h : record.headers()) {
            names.add(h.key());
        }
        return names;
    }

    private static String header(ProducerRecord<String, byte[]> record, String name) {
        return new String(record.headers().lastHeader(name).value(), StandardCharsets.UTF_8);
    }
}
