package io.fulfillmenthub.events.kafka;

import static io.fulfillmenthub.events.EventsTesting.orderCluster;
import static io.fulfillmenthub.events.EventsTesting.scale;
import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import io.fulfillmenthub.events.EventSettings;
import io.fulfillmenthub.store.Db;
import io.fulfillmenthub.store.Json;
import io.fulfillmenthub.testsupport.KafkaBroker;
import io.fulfillmenthub.testsupport.Tokens;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The Kafka channel against a real (in-process KRaft) broker: every event reaches a consumer as a binary-mode
 * CloudEvent keyed by cluster id; a broker outage loses nothing and keeps the order per key; one relay is active
 * across replicas and another takes over when it dies.
 */
@QuarkusTest
class KafkaRelayTest {

    static final String TOPIC = "fulfillment-hub.events";
    static KafkaBroker broker;

    @Inject
    KafkaRelay relay;
    @Inject
    Db db;
    @Inject
    EventSettings settings;

    KafkaRelay other;

    @BeforeAll
    static void startBroker() {
        broker = KafkaBroker.start();
        broker.createTopic(TOPIC, 3);
    }

    @AfterAll
    static void closeBroker() {
        if (broker != null) {
            broker.close();
        }
    }

    @AfterEach
    void disableRelays() {
        relay.disable();
        if (other != null) {
            other.disable();
        }
    }

    static KafkaEventPublisher.Settings quick() {
        return KafkaEventPublisher.Settings.builder(broker.bootstrapServers(), TOPIC)
                .requestTimeout(Duration.ofSeconds(1)).deliveryTimeout(Duration.ofSeconds(2))
                .maxBlock(Duration.ofSeconds(2)).build();
    }

    @Test
    void everyEventReachesAConsumerAsABinaryModeCloudEventKeyedByCluster() {
        relay.enable(quick(), null);
        List<String> clusters = changeClusters(3);
        Map<String, List<String>> expected = expectedIdsPerCluster(clusters);
        List<ConsumerRecord<String, byte[]>> records = awaitAll(expected);

        Map<String, Object> first = given().header("Authorization", Tokens.bearer("tenant-user"))
                .queryParam("after", 0).queryParam("limit", 1000).get("/api/fulfillment/v1/events").then().extract()
                .jsonPath().param("c", clusters.get(0)).getMap("items.find { it.subject == c }");
        ConsumerRecord<String, byte[]> r = records.stream().filter(x -> first.get("id").equals(header(x, "ce_id")))
                .findFirst().orElseThrow();
        assertEquals(clusters.get(0), r.key(), "key = cluster id");
        assertEquals("1.0", header(r, "ce_specversion"));
        assertEquals("io.fulfillmenthub.cluster.created", header(r, "ce_type"));
        assertEquals(clusters.get(0), header(r, "ce_subject"));
        assertEquals(first.get("source"), header(r, "ce_source"));
        assertEquals("application/json", header(r, "content-type"));
        assertTrue(header(r, "ce_time").endsWith("Z"));
        JsonNode data = Json.MAPPER.valueToTree(Json.read(new String(r.value(), StandardCharsets.UTF_8), Object.class));
        assertEquals(clusters.get(0), data.get("id").asText(), "value = the data (binary mode)");
        assertTrue(relay.holding());
        await().atMost(Duration.ofSeconds(5)).until(() -> relay.cursor() >= Long.parseLong((String) first.get("cursor")));
    }

    @Test
    void aBrokerOutageLosesNothingAndKeepsTheOrderPerCluster() throws Exception {
        relay.enable(quick(), null);
        List<String> before = changeClusters(2);
        awaitAll(expectedIdsPerCluster(before));

        broker.stop();
        List<String> during = changeClusters(4);
        for (String c : before) {
            scale("tenant-admin", c, 3); // events of clusters that already have records on the topic
        }
        Thread.sleep(3000);
        long firstDuring = firstCursorOf(during.get(0));
        assertTrue(relay.cursor() < firstDuring, "the cursor advanced without acknowledgement");

        broker.restart();
        List<String> all = new ArrayList<>(before);
        all.addAll(during);
        awaitAll(expectedIdsPerCluster(all));
    }

    @Test
    void oneRelayIsActiveAcrossReplicasAndAnotherTakesOverWhenItDies() {
        other = new KafkaRelay();
        other.db = db;
        other.settings = settings;
        other.owner = "replica-b";
        other.topic = TOPIC;
        other.batchSize = 500;
        other.retryBackoff = "1s";
        relay.enable(quick(), Duration.ofSeconds(3));
        other.enable(quick(), Duration.ofSeconds(3));

        List<String> first = changeClusters(3);
        List<ConsumerRecord<String, byte[]>> records = awaitAll(expectedIdsPerCluster(first));
        assertNotEquals(relay.holding(), other.holding(), "exactly one active relay");
        Set<String> ids = new LinkedHashSet<>();
        records.stream().filter(r -> first.contains(r.key())).forEach(r -> assertTrue(ids.add(header(r, "ce_id")),
                "published twice without any failure: " + header(r, "ce_id")));

        // the active replica dies without handing over its lease: the other takes over when it runs out
        KafkaRelay dead = relay.holding() ? relay : other;
        KafkaRelay survivor = dead == relay ? other : relay;
        dead.halt();
        List<String> later = changeClusters(3);
        List<String> all = new ArrayList<>(first);
        all.addAll(later);
        awaitAll(expectedIdsPerCluster(all));
        assertTrue(survivor.holding());
    }

    // ---- helpers ----

    /** Orders n clusters and scales each twice: three events per cluster. */
    static List<String> changeClusters(int n) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            String c = orderCluster("tenant-admin");
            scale("tenant-admin", c, 2);
            scale("tenant-admin", c, 3);
            out.add(c);
        }
        return out;
    }

    /** Event ids per cluster in cursor order, from the poll list. */
    static Map<String, List<String>> expectedIdsPerCluster(List<String> clusters) {
        Map<String, List<String>> out = new LinkedHashMap<>();
        clusters.forEach(c -> out.put(c, new ArrayList<>()));
        long after = 0;
        while (true) {
            var r = given().header("Authorization", Tokens.bearer("tenant-user")).queryParam("after", after)
                    .queryParam("limit", 1000).get("/api/fulfillment/v1/events").then().statusCode(200).extract();
            List<Map<String, Object>> items = r.path("items");
            if (items.isEmpty()) {
                return out;
            }
            for (Map<String, Object> i : items) {
                List<String> ids = out.get((String) i.get("subject"));
                if (ids != null) {
                    ids.add((String) i.get("id"));
                }
            }
            after = Long.parseLong(r.path("next_after"));
        }
    }

    static long firstCursorOf(String cluster) {
        Map<String, Object> e = given().header("Authorization", Tokens.bearer("tenant-user")).queryParam("after", 0)
                .queryParam("limit", 1000).queryParam("types", "cluster.created").get("/api/fulfillment/v1/events")
                .then().extract().jsonPath().param("c", cluster).getMap("items.find { it.subject == c }");
        if (e == null) {
            throw new AssertionError("no event for " + cluster);
        }
        return Long.parseLong((String) e.get("cursor"));
    }

    /**
     * Reads the topic until every expected event is there; then checks that, per cluster (= key), the first copies of
     * the events come in cursor order. Copies (at least once) are allowed; loss and reordering are not.
     */
    static List<ConsumerRecord<String, byte[]>> awaitAll(Map<String, List<String>> expected) {
        List<List<ConsumerRecord<String, byte[]>>> last = new ArrayList<>();
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).until(() -> {
            List<ConsumerRecord<String, byte[]>> records = TopicReader.readAll(broker.bootstrapServers(), TOPIC);
            last.clear();
            last.add(records);
            Set<String> ids = new LinkedHashSet<>();
            records.forEach(r -> ids.add(header(r, "ce_id")));
            return expected.values().stream().allMatch(ids::containsAll);
        });
        List<ConsumerRecord<String, byte[]>> records = last.get(0);
        for (Map.Entry<String, List<String>> e : expected.entrySet()) {
            List<String> firstCopies = new ArrayList<>();
            for (ConsumerRecord<String, byte[]> r : records) {
                String id = header(r, "ce_id");
                // other events of the cluster (its provisioning goes on meanwhile) may interleave: check these ones' order
                if (e.getKey().equals(r.key()) && e.getValue().contains(id) && !firstCopies.contains(id)) {
                    firstCopies.add(id);
                }
            }
            assertEquals(e.getValue(), firstCopies, "events of cluster " + e.getKey() + " in cursor order");
            Set<Integer> partitions = new LinkedHashSet<>();
            records.stream().filter(r -> e.getKey().equals(r.key())).forEach(r -> partitions.add(r.partition()));
            assertEquals(1, partitions.size(), "one partition per cluster");
        }
        return records;
    }

    static String header(ConsumerRecord<String, byte[]> r, String name) {
        Header h = r.headers().lastHeader(name);
        return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }
}
