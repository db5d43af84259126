package io.fulfillmenthub.events.kafka;

import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;

import org.apache.kafka.clients.consumer.ConsumerRecord;

/** Numbered test events: event {@code i} has id {@code evt-i}, key {@code cluster-(i % keys)}, data {@code {"seq":i}}. */
final class Events {

    private static final Pattern SEQ = Pattern.compile("\"seq\":(\\d+)");
    private static final OffsetDateTime T0 = OffsetDateTime.of(2025, 1, 1, 0, 0, 0, 0, ZoneOffset.UTC);

    private Events() {
    }

    static List<CloudEventKafkaRecord> sequence(int from, int to, int keys) {
        return IntStream.range(from, to).mapToObj(i -> event(i, keys)).toList();
    }

    static CloudEventKafkaRecord event(int i, int keys) {
        String key = key(i, keys);
        byte[] data = ("{\"clusterId\":\"" + key + "\",\"seq\":" + i + "}").getBytes(StandardCharsets.UTF_8);
        return CloudEventKafkaRecord.json("evt-" + i, "/fulfillment-hub/clusters", "io.fulfillmenthub.cluster.changed",
                T0.plusSeconds(i), "clusters/" + key, data, key);
    }

    static String key(int i, int keys) {
        return "cluster-" + (i % keys);
    }

    static int seq(ConsumerRecord<String, byte[]> record) {
        Matcher m = SEQ.matcher(new String(record.value(), StandardCharsets.UTF_8));
        if (!m.find()) {
            throw new AssertionError("no seq in record " + record);
        }
        return Integer.parseInt(m.group(1));
    }
}
