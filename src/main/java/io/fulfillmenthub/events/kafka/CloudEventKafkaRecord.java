package io.fulfillmenthub.events.kafka;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.Objects;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * One outgoing event as a CloudEvents 1.0 event in the Kafka protocol binding's <em>binary</em> content mode.
 *
 * <p>{@link #toProducerRecord(String)} puts the context attributes into record headers ({@code ce_specversion},
 * {@code ce_id}, {@code ce_source}, {@code ce_type}, {@code ce_time}, {@code ce_subject}), the data content type
 * into {@code content-type}, the data bytes into the record value, and the aggregate (cluster) id into the record key,
 * so that every event of one cluster lands in one partition, in order.
 *
 * @param id              event id; {@code source} + {@code id} is unique per event, consumers dedupe on it
 * @param source          URI-reference of the event's producer context (for example {@code /fulfillment-hub/clusters})
 * @param type            event type (for example {@code io.fulfillmenthub.cluster.ready})
 * @param time            when the occurrence happened; optional
 * @param subject         the subject within the source (for example the cluster id); optional
 * @param dataContentType media type of {@code data}; {@code application/json} when {@code null}
 * @param data            the event data (JSON bytes), never re-encoded
 * @param key             the record key: the aggregate (cluster) id whose events must stay in order
 */
public record CloudEventKafkaRecord(
        String id,
        String source,
        String type,
        OffsetDateTime time,
        String subject,
        String dataContentType,
        byte[] data,
        String key) {

    public static final String SPEC_VERSION = "1.0";
    public static final String APPLICATION_JSON = "application/json";

    public static final String HEADER_SPEC_VERSION = "ce_specversion";
    public static final String HEADER_ID = "ce_id";
    public static final String HEADER_SOURCE = "ce_source";
    public static final String HEADER_TYPE = "ce_type";
    public static final String HEADER_TIME = "ce_time";
    public static final String HEADER_SUBJECT = "ce_subject";
    public static final String HEADER_CONTENT_TYPE = "content-type";

    public CloudEventKafkaRecord {
        requireText(id, "id");
        requireText(source, "source");
        requireUriReference(source);
        requireText(type, "type");
        requireText(key, "key");
        Objects.requireNonNull(data, "data");
        if (subject != null && subject.isEmpty()) {
            throw new IllegalArgumentException("subject must be null or non-empty");
        }
        if (dataContentType == null) {
            dataContentType = APPLICATION_JSON;
        } else if (dataContentType.isBlank()) {
            throw new IllegalArgumentException("dataContentType must be null or non-blank");
        }
        data = data.clone();
    }

    /** An {@code application/json} event. */
    public static CloudEventKafkaRecord json(String id, String source, String type, OffsetDateTime time,
            String subject, byte[] data, String key) {
        return new CloudEventKafkaRecord(id, source, type, time, subject, APPLICATION_JSON, data, key);
    }

    /** The data bytes (a copy). */
    @Override
    public byte[] data() {
        return data.clone();
    }

    /** The CloudEvents {@code time} attribute as an RFC 3339 string, or {@code null} when there is no time. */
    public String timeAsRfc3339() {
        return time == null ? null : formatRfc3339(time);
    }

    /** The record for {@code topic}: CloudEvents binary mode, key = {@link #key()}, value = {@link #data()}. */
    public ProducerRecord<String, byte[]> toProducerRecord(String topic) {
        requireText(topic, "topic");
        Headers headers = new RecordHeaders();
        headers.add(HEADER_SPEC_VERSION, utf8(SPEC_VERSION));
        headers.add(HEADER_ID, utf8(id));
        headers.add(HEADER_SOURCE, utf8(source));
        headers.add(HEADER_TYPE, utf8(type));
        if (time != null) {
            headers.add(HEADER_TIME, utf8(formatRfc3339(time)));
        }
        if (subject != null) {
            headers.add(HEADER_SUBJECT, utf8(subject));
        }
        headers.add(HEADER_CONTENT_TYPE, utf8(dataContentType));
        return new ProducerRecord<>(topic, null, null, key, data.clone(), headers);
    }

    /**
     * Reads a binary-mode CloudEvent back from a consumed record.
     *
     * @throws IllegalArgumentException when the record is not a CloudEvents 1.0 binary-mode event
     */
    public static CloudEventKafkaRecord fromConsumerRecord(ConsumerRecord<String, byte[]> record) {
        Headers headers = record.headers();
        String specVersion = lastHeader(headers, HEADER_SPEC_VERSION);
        if (!SPEC_VERSION.equals(specVersion)) {
            throw new IllegalArgumentException("not a CloudEvents 1.0 binary-mode record: " + HEADER_SPEC_VERSION
                    + "=" + specVersion);
        }
        String time = lastHeader(headers, HEADER_TIME);
        OffsetDateTime parsedTime;
        try {
            parsedTime = time == null ? null : OffsetDateTime.parse(time, DateTimeFormatter.ISO_OFFSET_DATE_TIME);
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("ce_time is not an RFC 3339 timestamp: " + time, e);
        }
        return new CloudEventKafkaRecord(
                lastHeader(headers, HEADER_ID),
                lastHeader(headers, HEADER_SOURCE),
                lastHeader(headers, HEADER_TYPE),
                parsedTime,
                lastHeader(headers, HEADER_SUBJECT),
                lastHeader(headers, HEADER_CONTENT_TYPE),
                record.value() == null ? new byte[0] : record.value(),
                record.key());
    }

    /**
     * RFC 3339 ({@code 2025-01-31T10:15:30Z}, {@code 2025-01-31T12:15:30.5+02:00}). Seconds are always written;
     * an offset with seconds (which RFC 3339 cannot express) is converted to UTC.
     */
    static String formatRfc3339(OffsetDateTime time) {
        OffsetDateTime t = time.getOffset().getTotalSeconds() % 60 == 0
                ? time
                : time.withOffsetSameInstant(ZoneOffset.UTC);
        return DateTimeFormatter.ISO_OFFSET_DATE_TIME.format(t);
    }

    private static String lastHeader(Headers headers, String name) {
        Header header = headers.lastHeader(name);
        return header == null || header.value() == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static void requireText(String value, String name) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(name + " is required");
        }
    }

    private static void requireUriReference(String source) {
        try {
            new URI(source);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("source is not a URI-reference: " + source, e);
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof CloudEventKafkaRecord other
                && id.equals(other.id)
                && source.equals(other.source)
                && type.equals(other.type)
                && Objects.equals(time == null ? null : time.toInstant(), other.time == null ? null : other.time.toInstant())
                && Objects.equals(subject, other.subject)
                && dataContentType.equals(other.dataContentType)
                && Arrays.equals(data, other.data)
                && key.equals(other.key);
    }

    @Override
    public int hashCode() {
        return Objects.hash(id, source, type, time == null ? null : time.toInstant(), subject, dataContentType,
                Arrays.hashCode(data), key);
    }

    @Override
    public String toString() {
        return "CloudEventKafkaRecord[id=" + id + ", source=" + source + ", type=" + type + ", time="
                + timeAsRfc3339() + ", subject=" + subject + ", dataContentType=" + dataContentType + ", data="
                + data.length + " bytes, key=" + key + "]";
    }
}
