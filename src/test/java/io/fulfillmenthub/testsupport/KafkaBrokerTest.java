package io.fulfillmenthub.testsupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

class KafkaBrokerTest {

    @Test
    void producesConsumesAndSurvivesARestartOnTheSamePortAndData() throws Exception {
        Path dir;
        long t0 = System.nanoTime();
        try (KafkaBroker broker = KafkaBroker.start()) {
            System.out.printf("KafkaBroker started in %d ms on %s%n",
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0), broker.bootstrapServers());
            dir = broker.logDir();
            String bootstrap = broker.bootstrapServers();
            broker.createTopic("smoke", 1);

            send(bootstrap, "smoke", "k", "before-1", "before-2");
            assertEquals(List.of("before-1", "before-2"), readAll(bootstrap, "smoke", 2));

            broker.stop();
            assertFalse(broker.isRunning());
            assertFalse(accepts(broker.port()), "nothing listens while the broker is stopped");

            long t1 = System.nanoTime();
            broker.restart();
            System.out.printf("KafkaBroker restarted in %d ms%n", TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t1));
            assertTrue(broker.isRunning());
            assertEquals(bootstrap, broker.bootstrapServers(), "same address after restart");

            // the records written before the outage survived it, and new ones are accepted
            send(bootstrap, "smoke", "k", "after-1");
            assertEquals(List.of("before-1", "before-2", "after-1"), readAll(bootstrap, "smoke", 3));
        }
        assertFalse(Files.exists(dir), "close() deletes the temporary directory");
    }

    private static void send(String bootstrap, String topic, String key, String... values) throws Exception {
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.MAX_BLOCK_MS_CONFIG, 20_000),
                new StringSerializer(), new StringSerializer())) {
            for (String value : values) {
                producer.send(new ProducerRecord<>(topic, key, value)).get(20, TimeUnit.SECONDS);
            }
        }
    }

    private static List<String> readAll(String bootstrap, String topic, int expected) {
        List<String> values = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.GROUP_ID_CONFIG, "reader-" + System.nanoTime(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false),
                new StringDeserializer(), new StringDeserializer())) {
            consumer.subscribe(List.of(topic));
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (values.size() < expected && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
                    values.add(new String(r.value().getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8));
                }
            }
        }
        return values;
    }

    private static boolean accepts(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 500);
            return true;
        } catch (Exception e) {
            return false;
        }
    }
}
