package io.fulfillmenthub.clusters;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.fulfillmenthub.testsupport.Tokens;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Each class of bad input gets a clear problem and stores nothing. */
@QuarkusTest
class BadInputTest {

    /** Every cluster row ever stored, deleted ones included: clusters of earlier tests finish deleting meanwhile. */
    static int totalClusters() {
        io.fulfillmenthub.store.Db db = io.quarkus.arc.Arc.container().instance(io.fulfillmenthub.store.Db.class).get();
        return (int) (long) db.read(c -> io.fulfillmenthub.store.Db.count(c, "select count(*) from clusters"));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "malformed JSON        | {\"spec\": {                                                             | 400 |",
            "not an object         | [1,2]                                                                    | 400 |",
            "unknown field         | {\"spec\":{\"template\":\"ocp-small\"},\"colour\":\"red\"}               | 400 | colour",
            "nested unknown field  | {\"spec\":{\"template\":\"ocp-small\",\"nodes\":3}}                      | 400 | spec.nodes",
            "mistyped size         | {\"spec\":{\"template\":\"ocp-small\",\"node_sets\":{\"workers\":{\"size\":\"three\"}}}} | 400 | spec.node_sets.workers.size",
            "missing spec          | {\"metadata\":{\"name\":\"x\"}}                                          | 400 | spec",
            "unknown template      | {\"spec\":{\"template\":\"ocp-huge\"}}                                   | 400 | spec.template",
            "unknown node set      | {\"spec\":{\"template\":\"ocp-small\",\"node_sets\":{\"gpu\":{\"size\":1}}}} | 400 | spec.node_sets.gpu",
            "size above max        | {\"spec\":{\"template\":\"ocp-small\",\"node_sets\":{\"workers\":{\"size\":7}}}} | 400 | spec.node_sets.workers.size",
            "size below min        | {\"spec\":{\"template\":\"ocp-small\",\"node_sets\":{\"workers\":{\"size\":0}}}} | 400 | spec.node_sets.workers.size",
            "invalid duration      | {\"spec\":{\"template\":\"ocp-small\",\"duration\":\"30 days\"}}         | 400 | spec.duration",
            "disallowed duration   | {\"spec\":{\"template\":\"ocp-small\",\"duration\":\"P2D\"}}             | 400 | spec.duration",
            "bad parameter type    | {\"spec\":{\"template\":\"ocp-small\",\"template_parameters\":{\"fips\":\"yes\"}}} | 400 | spec.template_parameters.fips",
            "unknown parameter     | {\"spec\":{\"template\":\"ocp-small\",\"template_parameters\":{\"zone\":\"a\"}}} | 400 | spec.template_parameters.zone",
            "bad name              | {\"metadata\":{\"name\":\"Not_A_Name\"},\"spec\":{\"template\":\"ocp-small\"}} | 400 | metadata.name",
    })
    void refusedAndNothingStored(String what, String body, int status, String field) {
        int before = totalClusters();
        var r = given().header("Authorization", Tokens.bearer("tenant-admin")).contentType(ContentType.JSON).body(body)
                .post("/api/fulfillment/v1/clusters").then().statusCode(status)
                .contentType("application/problem+json").body("status", equalTo(status))
                .body("type", containsString("/problems/"));
        if (field != null && !field.isBlank()) {
            r.body("field", equalTo(field.trim()));
        }
        assertEquals(before, totalClusters(), what + " stored something");
    }

    @Test
    void wrongContentTypeIs415() {
        int before = totalClusters();
        given().header("Authorization", Tokens.bearer("tenant-admin")).contentType("text/plain")
                .body("{\"spec\":{\"template\":\"ocp-small\"}}").post("/api/fulfillment/v1/clusters")
                .then().statusCode(415).contentType("application/problem+json");
        assertEquals(before, totalClusters());
    }

    @Test
    void oversizeBodyIs413() {
        int before = totalClusters();
        String big = "{\"spec\":{\"template\":\"ocp-small\"},\"metadata\":{\"annotations\":{\"a\":\""
                + "x".repeat(1024 * 1024) + "\"}}}";
        given().header("Authorization", Tokens.bearer("tenant-admin")).contentType(ContentType.JSON).body(big)
                .post("/api/fulfillment/v1/clusters").then().statusCode(413).contentType("application/problem+json");
        assertEquals(before, totalClusters());
    }

    @Test
    void patchRefusesFixedFields() {
        String id = given().header("Authorization", Tokens.bearer("tenant-admin")).contentType(ContentType.JSON)
                .body("{\"spec\":{\"template\":\"ocp-small\"}}").post("/api/fulfillment/v1/clusters")
                .then().statusCode(201).extract().path("id");
        String specBefore = given().header("Authorization", Tokens.bearer("tenant-user"))
                .get("/api/fulfillment/v1/clusters/" + id).then().extract().jsonPath().getString("spec");
        given().header("Authorization", Tokens.bearer("tenant-admin")).contentType(ContentType.JSON)
                .body("{\"spec\":{\"duration\":\"P30D\"}}").patch("/api/fulfillment/v1/clusters/" + id)
                .then().statusCode(400).body("field", equalTo("spec"));
        given().header("Authorization", Tokens.bearer("tenant-admin")).contentType(ContentType.JSON)
                .body("{\"spec\":{\"node_sets\":{\"workers\":{\"size\":3}}}}").header("If-Match", "banana")
                .patch("/api/fulfillment/v1/clusters/" + id).then().statusCode(400).body("field", equalTo("If-Match"));
        // the refused patches changed nothing the client asked for
        assertEquals(specBefore, given().header("Authorization", Tokens.bearer("tenant-user"))
                .get("/api/fulfillment/v1/clusters/" + id).then().extract().jsonPath().getString("spec"));
    }
}
