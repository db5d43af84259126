package io.fulfillmenthub.clusters;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.notNullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.UUID;

import io.fulfillmenthub.testsupport.Tokens;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import org.junit.jupiter.api.Test;

/** The newcomer's walk through the clusters resource, and every way of getting it wrong. */
@QuarkusTest
class ClusterApiTest {

    static final String CLUSTERS = "/api/fulfillment/v1/clusters";

    static String order(String name, int workers, String duration) {
        return """
                {"metadata": {"name": "%s", "labels": {"team": "qa"}},
                 "spec": {"template": "ocp-small", "node_sets": {"workers": {"size": %d}}, "duration": "%s"}}
                """.formatted(name, workers, duration);
    }

    static Response create(String role, String body) {
        return given().header("Authorization", Tokens.bearer(role)).contentType(ContentType.JSON).body(body)
                .post(CLUSTERS);
    }

    static String uniqueName() {
        return "c" + UUID.randomUUID().toString().substring(0, 8);
    }

    @Test
    void orderFindScaleAndDelete() {
        String name = uniqueName();
        Response created = create("tenant-admin", order(name, 2, "P7D"));
        created.then().statusCode(201)
                .contentType("application/json")
                .header("Location", notNullValue())
                .body("metadata.name", equalTo(name))
                .body("metadata.tenant", equalTo("demo"))
                .body("metadata.version", equalTo(1))
                .body("spec.template", equalTo("ocp-small"))
                .body("spec.template_version", equalTo(1))
                .body("spec.node_sets.workers.size", equalTo(2))
                .body("status.state", equalTo("PROGRESSING"))
                .body("status.order.source", equalTo("api"))
                .body("status.node_sets.workers.host_class", equalTo("cpu-standard"))
                .body("status.expires_at", notNullValue())
                .body("status.conditions.find { it.type == 'Accepted' }.status", equalTo("True"));
        String id = created.path("id");

        Response read = given().header("Authorization", Tokens.bearer("tenant-user")).get(CLUSTERS + "/" + id);
        read.then().statusCode(200).body("id", equalTo(id));
        assertEquals("\"" + read.path("metadata.version") + "\"", read.header("ETag"));
        given().header("Authorization", Tokens.bearer("tenant-user")).queryParam("name", name).get(CLUSTERS)
                .then().statusCode(200).body("total", equalTo(1)).body("items[0].id", equalTo(id));

        // scale within bounds, as a careful client does: If-Match the version read, re-read on 412
        Response scaled = null;
        for (int attempt = 0; attempt < 5; attempt++) {
            String etag = given().header("Authorization", Tokens.bearer("tenant-user")).get(CLUSTERS + "/" + id).header("ETag");
            scaled = given().header("Authorization", Tokens.bearer("tenant-admin")).header("If-Match", etag)
                    .contentType(ContentType.JSON).body("{\"spec\":{\"node_sets\":{\"workers\":{\"size\":5}}}}")
                    .patch(CLUSTERS + "/" + id);
            if (scaled.statusCode() != 412) {
                break;
            }
        }
        scaled.then().statusCode(202).body("spec.node_sets.workers.size", equalTo(5))
                .body("status.node_sets.workers.size", equalTo(5));
        int version = scaled.path("metadata.version");
        // a stale If-Match is refused and changes nothing
        given().header("Authorization", Tokens.bearer("tenant-admin")).header("If-Match", "\"" + (version - 1) + "\"")
                .contentType(ContentType.JSON).body("{\"spec\":{\"node_sets\":{\"workers\":{\"size\":4}}}}")
                .patch(CLUSTERS + "/" + id)
                .then().statusCode(412).contentType("application/problem+json");
        given().header("Authorization", Tokens.bearer("tenant-admin"))
                .contentType(ContentType.JSON).body("{\"spec\":{\"node_sets\":{\"workers\":{\"size\":7}}}}")
                .patch(CLUSTERS + "/" + id)
                .then().statusCode(400).body("field", equalTo("spec.node_sets.workers.size"));
        given().header("Authorization", Tokens.bearer("tenant-user")).get(CLUSTERS + "/" + id)
                .then().body("spec.node_sets.workers.size", equalTo(5));

        given().header("Authorization", Tokens.bearer("tenant-admin")).delete(CLUSTERS + "/" + id)
                .then().statusCode(202).body("status.state", equalTo("DELETING"))
                .body("metadata.deletion_timestamp", notNullValue());
    }

    @Test
    void anotherTenantNeverSeesTheCluster() {
        String id = create("tenant-admin", order(uniqueName(), 1, "P1D")).then().statusCode(201).extract().path("id");
        given().header("Authorization", Tokens.bearer("other-tenant-admin")).get(CLUSTERS + "/" + id)
                .then().statusCode(404).contentType("application/problem+json");
        List<String> ids = given().header("Authorization", Tokens.bearer("other-tenant-admin")).queryParam("limit", 1000)
                .get(CLUSTERS).then().statusCode(200).extract().path("items.id");
        assertEquals(false, ids.contains(id));
        given().header("Authorization", Tokens.bearer("other-tenant-admin")).contentType(ContentType.JSON)
                .body("{\"spec\":{\"node_sets\":{\"workers\":{\"size\":2}}}}").patch(CLUSTERS + "/" + id)
                .then().statusCode(404);
        given().header("Authorization", Tokens.bearer("other-tenant-admin")).delete(CLUSTERS + "/" + id)
                .then().statusCode(404);
        given().header("Authorization", Tokens.bearer("tenant-user")).get(CLUSTERS + "/" + id).then().statusCode(200);
        // the provider sees every tenant
        given().header("Authorization", Tokens.bearer("sre")).get("/api/admin/v1/clusters/" + id)
                .then().statusCode(200).body("metadata.tenant", equalTo("demo"));
        given().header("Authorization", Tokens.bearer("sre")).queryParam("tenant", "demo").queryParam("limit", 1000)
                .get("/api/admin/v1/clusters").then().statusCode(200).body("items.id", hasItem(id));
    }

    @Test
    void idempotencyKeyMakesOneCluster() {
        String key = UUID.randomUUID().toString();
        String body = order(uniqueName(), 2, "P7D");
        String first = given().header("Authorization", Tokens.bearer("tenant-admin")).header("Idempotency-Key", key)
                .contentType(ContentType.JSON).body(body).post(CLUSTERS).then().statusCode(201).extract().path("id");
        given().header("Authorization", Tokens.bearer("tenant-admin")).header("Idempotency-Key", key)
                .contentType(ContentType.JSON).body(body).post(CLUSTERS)
                .then().statusCode(201).body("id", equalTo(first)).header("Idempotent-Replayed", "true");
        given().header("Authorization", Tokens.bearer("tenant-admin")).header("Idempotency-Key", key)
                .contentType(ContentType.JSON).body(order(uniqueName(), 3, "P7D")).post(CLUSTERS)
                .then().statusCode(409).contentType("application/problem+json");
    }

    @Test
    void listsPageInStableOrder() {
        for (int i = 0; i < 3; i++) {
            create("tenant-admin", order(uniqueName(), 1, "P1D")).then().statusCode(201);
        }
        Response all = given().header("Authorization", Tokens.bearer("tenant-user")).queryParam("limit", 1000).get(CLUSTERS);
        List<String> ids = all.path("items.id");
        int total = all.path("total");
        assertEquals(ids.size(), total);
        List<String> page2 = given().header("Authorization", Tokens.bearer("tenant-user"))
                .queryParam("offset", 1).queryParam("limit", 2).get(CLUSTERS)
                .then().statusCode(200).body("size", equalTo(2)).extract().path("items.id");
        assertEquals(ids.subList(1, 3), page2);
        given().header("Authorization", Tokens.bearer("tenant-user")).queryParam("limit", 1001).get(CLUSTERS)
                .then().statusCode(400).body("field", equalTo("limit"));
        given().header("Authorization", Tokens.bearer("tenant-user")).queryParam("state", "SLEEPING").get(CLUSTERS)
                .then().statusCode(400).body("field", equalTo("state"));
        given().header("Authorization", Tokens.bearer("tenant-user")).queryParam("state", "DELETED").get(CLUSTERS)
                .then().statusCode(200).body("items.status.state", not(hasItem("READY")));
    }
}
