package io.fulfillmenthub.events;

import static io.restassured.RestAssured.given;

import java.util.List;
import java.util.Map;
import java.util.UUID;

import io.fulfillmenthub.testsupport.Tokens;
import io.restassured.http.ContentType;

/** Shared steps of the events tests: order and scale clusters through the API, create and read subscriptions. */
public final class EventsTesting {

    public static final String CLUSTERS = "/api/fulfillment/v1/clusters";
    public static final String SUBSCRIPTIONS = "/api/fulfillment/v1/event_subscriptions";
    public static final String EVENTS = "/api/fulfillment/v1/events";

    private EventsTesting() {
    }

    /** Orders a small cluster as {@code role}; returns its id (its cluster.created event is in the outbox). */
    public static String orderCluster(String role) {
        String name = "e" + UUID.randomUUID().toString().substring(0, 8);
        return given().header("Authorization", Tokens.bearer(role)).contentType(ContentType.JSON)
                .body("""
                        {"metadata": {"name": "%s"}, "spec": {"template": "ocp-small", "node_sets": {"workers": {"size": 1}}, "duration": "P1D"}}
                        """.formatted(name))
                .post(CLUSTERS).then().statusCode(201).extract().path("id");
    }

    /** Scales a cluster: a cluster.scaled event. */
    public static void scale(String role, String clusterId, int workers) {
        given().header("Authorization", Tokens.bearer(role)).contentType(ContentType.JSON)
                .body("{\"spec\":{\"node_sets\":{\"workers\":{\"size\":" + workers + "}}}}")
                .patch(CLUSTERS + "/" + clusterId).then().statusCode(202);
    }

    /** Creates a subscription; returns {id, secret}. */
    public static Map<String, String> subscribe(String role, String url, String... types) {
        Map<String, Object> body = Map.of("url", url, "event_types", List.of(types));
        var r = given().header("Authorization", Tokens.bearer(role)).contentType(ContentType.JSON).body(body)
                .post(SUBSCRIPTIONS).then().statusCode(201).extract();
        return Map.of("id", r.path("id"), "secret", r.path("secret"));
    }

    public static void unsubscribe(String role, String id) {
        given().header("Authorization", Tokens.bearer(role)).delete(SUBSCRIPTIONS + "/" + id);
    }

    /** The delivery log of a subscription. */
    public static List<Map<String, Object>> deliveries(String role, String id) {
        return given().header("Authorization", Tokens.bearer(role)).queryParam("limit", 1000)
                .get(SUBSCRIPTIONS + "/" + id + "/deliveries").then().statusCode(200).extract().path("items");
    }

    /** The newest cursor the tenant of {@code role} can see (pages through the poll list). */
    public static long lastCursor(String role) {
        long after = 0;
        while (true) {
            var r = given().header("Authorization", Tokens.bearer(role)).queryParam("after", after)
                    .queryParam("limit", 1000).get(EVENTS).then().statusCode(200).extract();
            long next = Long.parseLong(r.path("next_after"));
            int size = r.path("size");
            if (size == 0) {
                return next;
            }
            after = next;
        }
    }
}
