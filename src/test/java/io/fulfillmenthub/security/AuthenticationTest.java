package io.fulfillmenthub.security;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.hamcrest.Matchers.startsWith;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import io.fulfillmenthub.testsupport.Tokens;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** Every /api path needs a valid bearer token of the right role; some paths need none. */
@QuarkusTest
class AuthenticationTest {

    static final String CLUSTERS = "/api/fulfillment/v1/clusters";

    @ParameterizedTest
    @ValueSource(strings = {CLUSTERS, "/api/fulfillment/v1/cluster_templates", "/api/admin/v1/clusters"})
    void missingTokenIs401Problem(String path) {
        given().get(path).then().statusCode(401).contentType("application/problem+json")
                .header("WWW-Authenticate", startsWith("Bearer")).body("status", equalTo(401));
    }

    @Test
    void garbageExpiredAndForeignTokensAre401() throws Exception {
        given().header("Authorization", "Bearer not.a.jwt").get(CLUSTERS).then().statusCode(401);
        given().header("Authorization", "Basic dXNlcjpwYXNz").get(CLUSTERS).then().statusCode(401);
        EmbeddedIssuer ours = EmbeddedIssuer.open(Tokens.dataDir());
        String expired = ours.token("alice@demo", "demo", List.of("tenant-admin"), Duration.ofMinutes(-10));
        given().header("Authorization", "Bearer " + expired).get(CLUSTERS).then().statusCode(401)
                .contentType("application/problem+json");
        Path elsewhere = Files.createTempDirectory("foreign-issuer");
        String foreign = EmbeddedIssuer.open(elsewhere).token("mallory", "demo", List.of("tenant-admin"), Duration.ofHours(1));
        given().header("Authorization", "Bearer " + foreign).get(CLUSTERS).then().statusCode(401);
        // a valid token of ours still works
        String fresh = ours.token("alice@demo", "demo", List.of("tenant-user"), Duration.ofMinutes(5));
        given().header("Authorization", "Bearer " + fresh).get(CLUSTERS).then().statusCode(200);
    }

    @Test
    void aVerifiedTokenIsRememberedOnlyUntilItExpires() throws Exception {
        EmbeddedIssuer ours = EmbeddedIssuer.open(Tokens.dataDir());
        String shortLived = ours.token("alice@demo", "demo", List.of("tenant-user"), Duration.ofSeconds(3));
        for (int i = 0; i < 3; i++) {
            given().header("Authorization", "Bearer " + shortLived).get(CLUSTERS).then().statusCode(200);
        }
        // the remembered caller keeps its roles: still no admin path for a tenant user
        given().header("Authorization", "Bearer " + shortLived).get("/api/admin/v1/clusters").then().statusCode(403);
        long deadline = System.currentTimeMillis() + 15_000;
        int status = 200;
        while (status == 200 && System.currentTimeMillis() < deadline) {
            Thread.sleep(250);
            status = given().header("Authorization", "Bearer " + shortLived).get(CLUSTERS).then().extract().statusCode();
        }
        assertEquals(401, status, "an expired token is refused even after it was verified once");
        // its signature check is not skipped for a token that differs in one byte
        String fresh = ours.token("alice@demo", "demo", List.of("tenant-user"), Duration.ofMinutes(5));
        given().header("Authorization", "Bearer " + fresh).get(CLUSTERS).then().statusCode(200);
        String tampered = fresh.substring(0, fresh.length() - 2) + (fresh.endsWith("AA") ? "BB" : "AA");
        given().header("Authorization", "Bearer " + tampered).get(CLUSTERS).then().statusCode(401);
    }

    @Test
    void wrongRoleIs403() {
        String order = "{\"spec\":{\"template\":\"ocp-small\"}}";
        given().header("Authorization", Tokens.bearer("tenant-user")).contentType(ContentType.JSON).body(order)
                .post(CLUSTERS).then().statusCode(403).contentType("application/problem+json");
        given().header("Authorization", Tokens.bearer("sre")).get(CLUSTERS).then().statusCode(403);
        given().header("Authorization", Tokens.bearer("tenant-admin")).get("/api/admin/v1/clusters").then().statusCode(403);
        given().header("Authorization", Tokens.bearer("server-admin")).get("/api/admin/v1/clusters").then().statusCode(403);
        given().header("Authorization", Tokens.bearer("provider-admin")).get("/api/admin/v1/clusters").then().statusCode(200);
        given().header("Authorization", Tokens.bearer("tenant-admin")).contentType(ContentType.JSON).body("{}")
                .post("/api/admin/v1/cluster_templates").then().statusCode(403);
    }

    @ParameterizedTest
    @ValueSource(strings = {"/q/health/live", "/q/health/ready", "/q/metrics", "/openapi"})
    void operationalPathsNeedNoToken(String path) {
        // readiness is DOWN (503) for the moment the embedded management hub still starts after the HTTP server
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> given().get(path).then().statusCode(200));
    }

    @Test
    void tokensFileHasEveryRole() {
        for (String role : List.of("tenant-admin", "tenant-user", "other-tenant-admin", "sre", "server-admin",
                "network-admin", "platform-admin", "provider-admin")) {
            given().header("Authorization", Tokens.bearer(role)).get("/api/fulfillment/v1/cluster_templates")
                    .then().statusCode(200);
        }
    }
}
