package io.fulfillmenthub.ops;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import java.time.Duration;

import io.fulfillmenthub.testsupport.Tokens;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import org.junit.jupiter.api.Test;

/** Health says whether the store and the management hub answer; metrics carry route, business and HTTP status figures. */
@QuarkusTest
class ObservabilityTest {

    @Test
    void readinessChecksTheDatabaseAndTheManagementHub() {
        // the management hub starts beside the HTTP server: ready once it is there and the inventory was read once
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> given().get("/q/health/ready").then().statusCode(200)
                .body("status", equalTo("UP"))
                .body("checks.find { it.name == 'database' }.status", equalTo("UP"))
                .body("checks.find { it.name == 'management-hub' }.status", equalTo("UP"))
                .body("checks.find { it.name == 'management-hub' }.data.embedded", equalTo(true)));
        given().get("/q/health/live").then().statusCode(200).body("status", equalTo("UP"));
    }

    @Test
    void metricsShowRoutesClustersOrdersAndResponses() {
        given().header("Authorization", Tokens.bearer("tenant-admin")).contentType(ContentType.JSON)
                .body("{\"spec\":{\"template\":\"ocp-small\",\"node_sets\":{\"workers\":{\"size\":1}}}}")
                .post("/api/fulfillment/v1/clusters").then().statusCode(201);
        given().header("Authorization", Tokens.bearer("tenant-admin")).get("/api/fulfillment/v1/clusters/nope")
                .then().statusCode(404);
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> given().get("/q/metrics").then().statusCode(200)
                .body(containsString("camel_exchanges_total"))
                .body(containsString("routeId=\"order-intake\""))
                .body(containsString("hub_orders_total{source=\"api\""))
                .body(containsString("hub_clusters{state=\"READY\""))
                .body(containsString("http_server_requests_seconds_count{method=\"GET\",outcome=\"CLIENT_ERROR\",status=\"404\"")));
    }

    @Test
    void theDashboardIsServed() {
        given().get("/").then().statusCode(200).body(containsString("Fulfillment Hub"));
    }
}
