package io.fulfillmenthub.testsupport;

import static io.restassured.RestAssured.given;

import java.util.List;
import java.util.Map;

import io.quarkus.test.common.http.TestHTTPResourceManager;
import io.quarkus.test.junit.callback.QuarkusTestAfterAllCallback;
import io.quarkus.test.junit.callback.QuarkusTestContext;

/**
 * Every {@code @QuarkusTest} class shares one hub and its demo inventory. When a class is done, the clusters its
 * tenants still hold are deleted through the API, as a customer would, so their hosts go back to the pool for the
 * classes that follow (otherwise the suite's order decides who runs out of hosts).
 */
public class ReleaseClustersAfterEachClass implements QuarkusTestAfterAllCallback {

    /** The tenants of the embedded issuer's tokens, each with a role that may delete its clusters. */
    static final Map<String, String> TENANT_ADMINS = Map.of("demo", "tenant-admin", "acme", "other-tenant-admin");

    @Override
    public void afterAll(QuarkusTestContext context) {
        String base = TestHTTPResourceManager.getUri();
        for (String role : TENANT_ADMINS.values()) {
            String token;
            try {
                token = Tokens.bearer(role);
            } catch (RuntimeException e) {
                return; // a test profile without the embedded issuer: nothing of ours to release
            }
            List<String> live = given().baseUri(base).header("Authorization", token)
                    .queryParam("limit", 500).get("/api/fulfillment/v1/clusters")
                    .then().extract().jsonPath().getList("items.findAll { it.status.state != 'DELETING' && it.status.state != 'DELETED' }.id");
            if (live == null) {
                continue;
            }
            for (String id : live) {
                given().baseUri(base).header("Authorization", token).delete("/api/fulfillment/v1/clusters/" + id);
            }
        }
        // the next class starts from a settled inventory and settled lists: wait (bounded) for the teardowns
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline && TENANT_ADMINS.values().stream().anyMatch(role -> live(base, role) > 0)) {
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** Clusters of the role's tenant not yet DELETED (the lists leave DELETED ones out). */
    static int live(String base, String role) {
        Integer total = given().baseUri(base).header("Authorization", Tokens.bearer(role)).queryParam("limit", 1)
                .get("/api/fulfillment/v1/clusters").then().extract().path("total");
        return total == null ? 0 : total;
    }

}
