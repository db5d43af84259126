package io.fulfillmenthub.alerts;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Predicate;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fulfillmenthub.testsupport.Threads;
import io.fulfillmenthub.testsupport.Tokens;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;

/** Shared steps of the alert tests: the webhook tokens, the samples (made unique per run), the alert views. */
public final class AlertsTesting {

    public static final String ALERTS = "/api/admin/v1/alerts";
    public static final String CLUSTERS = "/api/fulfillment/v1/clusters";
    public static final String HOSTS = "/api/admin/v1/hosts";
    public static final Duration WAIT = Duration.ofSeconds(90);
    static final ObjectMapper JSON = new ObjectMapper();

    private AlertsTesting() {
    }

    /** The webhook tokens the embedded mode generated. */
    public static Map<String, String> tokens() {
        try {
            return JSON.readValue(Files.readString(Tokens.dataDir().resolve("alert-tokens.json")),
                    new TypeReference<Map<String, String>>() {
                    });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static String alertmanagerToken() {
        return tokens().get("alertmanager");
    }

    public static String redfishToken() {
        return tokens().get("redfish");
    }

    public static Path sample(String relative) {
        Path dir = Path.of("..", "shared", "samples");
        if (!Files.isDirectory(dir) && System.getProperty("hub.samples.dir") != null) {
            dir = Path.of(System.getProperty("hub.samples.dir"));
        }
        Path f = dir.resolve(relative);
        assumeTrue(Files.isRegularFile(f), "sample missing: " + f.toAbsolutePath());
        return f;
    }

    public static ObjectNode sampleJson(String relative) {
        try {
            return (ObjectNode) JSON.readTree(Files.readString(sample(relative)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The disk-error sample for another instance and fingerprint (the suite's database outlives a run, so every test
     * uses a fingerprint of its own). {@code instance} null keeps the sample's host (unknown to the inventory).
     */
    public static String alertmanager(String file, String instance, String fingerprint) {
        ObjectNode root = sampleJson(file);
        for (JsonNode a : root.withArray("alerts")) {
            ObjectNode alert = (ObjectNode) a;
            alert.put("fingerprint", fingerprint);
            if (instance != null) {
                ((ObjectNode) alert.get("labels")).put("instance", instance);
            }
        }
        if (instance != null) {
            ((ObjectNode) root.get("commonLabels")).put("instance", instance);
            ((ObjectNode) root.get("groupLabels")).put("instance", instance);
        }
        return root.toString();
    }

    /** A Redfish sample whose drive bay is unique to the test (so its dedupe key is). */
    public static String redfish(String file, String bay) {
        ObjectNode root = sampleJson(file);
        for (JsonNode e : root.withArray("Events")) {
            ObjectNode event = (ObjectNode) e;
            JsonNode origin = event.get("OriginOfCondition");
            String path = "/redfish/v1/Systems/System.Embedded.1/Storage/RAID.SL.3-1/Drives/Disk.Bay." + bay;
            if (origin != null && origin.isObject()) {
                ((ObjectNode) origin).put("@odata.id", path);
            } else {
                event.put("OriginOfCondition", path);
            }
        }
        return root.toString();
    }

    public static String fingerprint() {
        return UUID.randomUUID().toString().replace("-", "").substring(0, 16);
    }

    public static Response postAlertmanager(String body) {
        return given().header("Authorization", "Bearer " + alertmanagerToken()).contentType(ContentType.JSON).body(body)
                .post("/webhooks/alertmanager");
    }

    public static Response postRedfish(String body, String bmc) {
        var req = given().header("X-Hub-Token", redfishToken()).contentType(ContentType.JSON).body(body);
        if (bmc != null) {
            req.header("X-Bmc-Address", bmc);
        }
        return req.post("/webhooks/redfish");
    }

    /** Alerts (sre view) matching the filter. */
    public static List<Map<String, Object>> alerts(Map<String, ?> query) {
        return given().header("Authorization", Tokens.bearer("sre")).queryParams(query).queryParam("limit", 1000)
                .get(ALERTS).then().statusCode(200).extract().path("items");
    }

    /** Waits for the one alert of a dedupe key to satisfy the condition; returns it. */
    public static JsonPath awaitAlert(String dedupeKey, Predicate<JsonPath> condition) {
        JsonPath[] found = new JsonPath[1];
        await().atMost(WAIT).pollInterval(Duration.ofMillis(200)).until(() -> {
            for (Map<String, Object> a : alerts(Map.of())) {
                if (dedupeKey.equals(a.get("dedupe_key"))) {
                    JsonPath jp = JsonPath.from(JSON.writeValueAsString(a));
                    found[0] = jp;
                    return condition.test(jp);
                }
            }
            return false;
        });
        return found[0];
    }

    /** Orders a small cluster (tenant-admin) with a contact address; waits until READY; returns it. */
    public static JsonPath readyCluster(int workers, String contact) {
        String name = "a" + UUID.randomUUID().toString().substring(0, 8);
        String body = """
                {"metadata": {"name": "%s", "annotations": {"hub.fulfillment.io/contact-email": "%s"}},
                 "spec": {"template": "ocp-small", "node_sets": {"workers": {"size": %d}}, "duration": "P1D"}}
                """.formatted(name, contact, workers);
        String id = given().header("Authorization", Tokens.bearer("tenant-admin")).contentType(ContentType.JSON)
                .body(body).post(CLUSTERS).then().statusCode(201).extract().path("id");
        JsonPath[] k = new JsonPath[1];
        try {
            await().atMost(WAIT).pollInterval(Duration.ofMillis(250)).until(() -> {
                k[0] = given().header("Authorization", Tokens.bearer("tenant-admin")).get(CLUSTERS + "/" + id)
                        .then().extract().jsonPath();
                if ("FAILED".equals(k[0].getString("status.state"))) {
                    throw new AssertionError("cluster failed: " + k[0].prettify());
                }
                return "READY".equals(k[0].getString("status.state"));
            });
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            // say where the reconcile stands: its thread's stack, for whoever reads the report
            throw new AssertionError("cluster " + id + " not READY: " + (k[0] == null ? "?" : k[0].prettify())
                    + Threads.dump(t -> t.getName().contains("provisioning") || t.getName().contains("reconcile"),
                            Integer.MAX_VALUE), e);
        }
        return k[0];
    }

    public static void deleteCluster(String id) {
        given().header("Authorization", Tokens.bearer("tenant-admin")).delete(CLUSTERS + "/" + id);
    }

    /** Hosts (sre view) with the given filters. */
    public static List<Map<String, Object>> hosts(Map<String, ?> query) {
        return given().header("Authorization", Tokens.bearer("sre")).queryParams(query).queryParam("limit", 1000)
                .get(HOSTS).then().statusCode(200).extract().path("items");
    }

    @SuppressWarnings("unchecked")
    public static String status(Map<String, Object> host, String field) {
        Object s = ((Map<String, Object>) host.get("status")).get(field);
        return s == null ? null : s.toString();
    }
}
