package io.fulfillmenthub.http;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.apache.camel.CamelContext;
import org.apache.camel.model.ModelCamelContext;
import org.apache.camel.model.rest.RestDefinition;
import org.apache.camel.model.rest.VerbDefinition;
import org.junit.jupiter.api.Test;

/** The served contract describes every API route, and every reference in it resolves. */
@QuarkusTest
class OpenApiContractTest {

    /** API paths served outside the Camel REST DSL (streams, webhooks on Vert.x routes): method + path. */
    static final List<String> NON_REST_DSL_ROUTES = List.of("GET /api/events/v1/events");

    @Inject
    CamelContext camel;

    JsonNode contract() throws Exception {
        String json = given().queryParam("format", "json").get("/openapi").then().statusCode(200).extract().asString();
        return new ObjectMapper().readTree(json);
    }

    @Test
    void everyRestRouteIsDescribed() throws Exception {
        JsonNode paths = contract().path("paths");
        List<String> missing = new ArrayList<>();
        List<String> routes = new ArrayList<>(NON_REST_DSL_ROUTES);
        for (RestDefinition rest : ((ModelCamelContext) camel).getRestDefinitions()) {
            for (VerbDefinition verb : rest.getVerbs()) {
                String path = rest.getPath() + (verb.getPath() == null ? "" : verb.getPath());
                routes.add(verb.asVerb() + " " + path.replace("//", "/"));
            }
        }
        assertTrue(routes.size() > 10, "the REST DSL routes were found: " + routes);
        for (String r : routes) {
            String[] parts = r.split(" ", 2);
            JsonNode op = paths.path(parts[1]).path(parts[0].toLowerCase(Locale.ROOT));
            if (op.isMissingNode()) {
                missing.add(r);
            } else if (!op.has("responses") || !op.has("summary")) {
                missing.add(r + " (no summary or responses)");
            }
        }
        assertEquals(List.of(), missing, "API routes the OpenAPI document does not describe");
    }

    @Test
    void everyReferenceResolves() throws Exception {
        JsonNode doc = contract();
        assertEquals("3.0.3", doc.path("openapi").asText());
        List<String> broken = new ArrayList<>();
        collectRefs(doc, doc, broken);
        assertEquals(List.of(), broken, "unresolved $ref");
        assertTrue(doc.path("components").path("securitySchemes").has("bearer"));
    }

    private void collectRefs(JsonNode root, JsonNode node, List<String> broken) {
        if (node.isObject()) {
            Iterator<Map.Entry<String, JsonNode>> it = node.fields();
            while (it.hasNext()) {
                Map.Entry<String, JsonNode> e = it.next();
                if (e.getKey().equals("$ref") && e.getValue().isTextual()) {
                    String ref = e.getValue().asText();
                    if (!ref.startsWith("#/") || root.at(ref.substring(1)).isMissingNode()) {
                        broken.add(ref);
                    }
                } else {
                    collectRefs(root, e.getValue(), broken);
                }
            }
        } else if (node.isArray()) {
            node.forEach(n -> collectRefs(root, n, broken));
        }
    }
}
