package io.fulfillmenthub.catalog;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasItems;
import static org.hamcrest.Matchers.not;

import java.util.UUID;

import io.fulfillmenthub.testsupport.Tokens;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import org.junit.jupiter.api.Test;

/** The shipped catalog, and platform admins publishing and deprecating templates. */
@QuarkusTest
class CatalogTest {

    @Test
    void defaultCatalogShipsSmallGpuAndLarge() {
        given().header("Authorization", Tokens.bearer("tenant-user")).get("/api/fulfillment/v1/cluster_templates")
                .then().statusCode(200)
                .body("items.id", hasItems("ocp-small", "ocp-gpu", "ocp-large"));
        given().header("Authorization", Tokens.bearer("tenant-user")).get("/api/fulfillment/v1/cluster_templates/ocp-small")
                .then().statusCode(200)
                .body("title", equalTo("Small OpenShift cluster"))
                .body("release.image", equalTo("quay.io/openshift-release-dev/ocp-release:4.17.9-x86_64"))
                .body("node_sets.workers.host_class", equalTo("cpu-standard"))
                .body("node_sets.workers.min_size", equalTo(1))
                .body("allowed_durations", hasItem("PT1M"))
                .body("deprecated", equalTo(false));
        given().header("Authorization", Tokens.bearer("tenant-user")).get("/api/fulfillment/v1/cluster_templates/ocp-gpu")
                .then().body("node_sets.gpu.host_class", equalTo("gpu-a100"));
        given().header("Authorization", Tokens.bearer("tenant-user")).get("/api/fulfillment/v1/cluster_templates/nope")
                .then().statusCode(404).contentType("application/problem+json");
    }

    @Test
    void publishVersionAndDeprecate() {
        String id = "t-" + UUID.randomUUID().toString().substring(0, 8);
        String template = """
                {"id": "%s", "title": "Test template %s", "release": {"version": "4.17.9", "image": "quay.io/x:%s"},
                 "node_sets": {"workers": {"host_class": "cpu-standard", "default_size": 1, "min_size": 1, "max_size": 3}},
                 "allowed_durations": ["P1D", "PT1H"]}
                """;
        given().header("Authorization", Tokens.bearer("platform-admin")).contentType(ContentType.JSON)
                .body(template.formatted(id, "v1", "a")).post("/api/admin/v1/cluster_templates")
                .then().statusCode(201).body("version", equalTo(1)).body("default_duration", equalTo("P1D"));
        String clusterId = given().header("Authorization", Tokens.bearer("tenant-admin")).contentType(ContentType.JSON)
                .body("{\"spec\":{\"template\":\"" + id + "\"}}").post("/api/fulfillment/v1/clusters")
                .then().statusCode(201).body("spec.template_version", equalTo(1)).extract().path("id");

        given().header("Authorization", Tokens.bearer("platform-admin")).contentType(ContentType.JSON)
                .body(template.formatted(id, "v2", "b")).post("/api/admin/v1/cluster_templates")
                .then().statusCode(201).body("version", equalTo(2));
        given().header("Authorization", Tokens.bearer("tenant-user")).get("/api/fulfillment/v1/cluster_templates/" + id)
                .then().body("version", equalTo(2)).body("release.image", equalTo("quay.io/x:b"));
        given().header("Authorization", Tokens.bearer("platform-admin")).get("/api/admin/v1/cluster_templates/" + id)
                .then().statusCode(200).body("total", equalTo(2));
        // the existing cluster keeps the version it was made from
        given().header("Authorization", Tokens.bearer("tenant-user")).get("/api/fulfillment/v1/clusters/" + clusterId)
                .then().body("spec.template_version", equalTo(1));

        given().header("Authorization", Tokens.bearer("platform-admin")).contentType(ContentType.JSON)
                .body("{\"deprecated\": true}").patch("/api/admin/v1/cluster_templates/" + id)
                .then().statusCode(200).body("deprecated", equalTo(true));
        given().header("Authorization", Tokens.bearer("tenant-user")).get("/api/fulfillment/v1/cluster_templates")
                .then().body("items.id", not(hasItem(id)));
        given().header("Authorization", Tokens.bearer("tenant-admin")).contentType(ContentType.JSON)
                .body("{\"spec\":{\"template\":\"" + id + "\"}}").post("/api/fulfillment/v1/clusters")
                .then().statusCode(400).body("field", equalTo("spec.template"));
        given().header("Authorization", Tokens.bearer("tenant-user")).get("/api/fulfillment/v1/clusters/" + clusterId)
                .then().statusCode(200).body("spec.template", equalTo(id));
    }

    @Test
    void invalidTemplatesAreRefused() {
        given().header("Authorization", Tokens.bearer("platform-admin")).contentType(ContentType.JSON)
                .body("{\"id\":\"Bad Id\",\"title\":\"x\"}").post("/api/admin/v1/cluster_templates")
                .then().statusCode(400).body("field", equalTo("id"));
        given().header("Authorization", Tokens.bearer("platform-admin")).contentType(ContentType.JSON)
                .body("""
                        {"id": "ok-id", "title": "x", "release": {"version": "4", "image": "i"},
                         "node_sets": {"workers": {"host_class": "c", "default_size": 5, "min_size": 1, "max_size": 3}},
                         "allowed_durations": ["P1D"]}""").post("/api/admin/v1/cluster_templates")
                .then().statusCode(400).body("field", equalTo("node_sets.workers"));
        given().header("Authorization", Tokens.bearer("platform-admin")).contentType(ContentType.JSON)
                .body("""
                        {"id": "ok-id", "title": "x", "release": {"version": "4", "image": "i"},
                         "node_sets": {"workers": {"host_class": "c", "default_size": 1, "min_size": 1, "max_size": 3}},
                         "allowed_durations": ["forever"]}""").post("/api/admin/v1/cluster_templates")
                .then().statusCode(400).body("field", equalTo("allowed_durations[0]"));
        given().header("Authorization", Tokens.bearer("platform-admin")).get("/api/admin/v1/cluster_templates/ok-id")
                .then().statusCode(404);
    }
}
