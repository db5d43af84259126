package io.fulfillmenthub.testsupport;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import org.junit.jupiter.api.Assumptions;

/**
 * The real CRD schemas of the management hub ({@code ../shared/crds/}, or system property {@code hub.crds.dir}):
 * validates objects the hub writes the way a real API server would (required fields, types, enums, patterns), since
 * the mock API server accepts anything. Tests using it are skipped, not passed, when the schemas are absent.
 */
public final class CrdSchemas {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private final Map<String, Schema> byApiVersionKind = new HashMap<>();

    private CrdSchemas() {
    }

    private static Path dir() {
        return Path.of(System.getProperty("hub.crds.dir", "../shared/crds"));
    }

    /** The schemas, or empty when this checkout has no {@code ../shared/crds} (the checks are then left out). */
    public static java.util.Optional<CrdSchemas> ifPresent() {
        return Files.isDirectory(dir()) ? java.util.Optional.of(load()) : java.util.Optional.empty();
    }

    public static CrdSchemas load() {
        Path dir = dir();
        Assumptions.assumeTrue(Files.isDirectory(dir), "CRD schemas not found at " + dir.toAbsolutePath());
        CrdSchemas s = new CrdSchemas();
        SchemaRegistry registry = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_4);
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".yaml")).toList()) {
                JsonNode crd = YAML.readTree(f.toFile());
                String group = crd.at("/spec/group").asText();
                String kind = crd.at("/spec/names/kind").asText();
                for (JsonNode v : crd.at("/spec/versions")) {
                    JsonNode schema = v.at("/schema/openAPIV3Schema");
                    if (schema.isMissingNode()) {
                        continue;
                    }
                    JsonNode converted = convert(schema.deepCopy());
                    s.byApiVersionKind.put(group + "/" + v.path("name").asText() + "|" + kind,
                            registry.getSchema(JSON.writeValueAsString(converted)));
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return s;
    }

    /** OpenAPI v3 structural schema -> JSON Schema draft 4: nullable, int-or-string, vendor extensions. */
    static JsonNode convert(JsonNode node) {
        if (node.isObject()) {
            ObjectNode o = (ObjectNode) node;
            if (o.path("x-kubernetes-int-or-string").asBoolean(false)) {
                o.remove("type");
                o.remove("anyOf");
                o.remove("pattern");
            }
            if (o.path("nullable").asBoolean(false) && o.has("type")) {
                ArrayNode types = JSON.createArrayNode().add(o.get("type").asText()).add("null");
                o.set("type", types);
            }
            o.remove("nullable");
            if (o.has("format") && !o.get("format").asText().equals("date-time")) {
                o.remove("format");
            }
            List<String> ext = new ArrayList<>();
            Iterator<String> names = o.fieldNames();
            while (names.hasNext()) {
                String n = names.next();
                if (n.startsWith("x-kubernetes-")) {
                    ext.add(n);
                }
            }
            ext.forEach(o::remove);
            o.fields().forEachRemaining(e -> convert(e.getValue()));
        } else if (node.isArray()) {
            node.forEach(CrdSchemas::convert);
        }
        return node;
    }

    /** What a real API server would refuse in this object; empty when it is valid. */
    public List<String> violations(Object obj) {
        JsonNode json = JSON.valueToTree(obj);
        String key = json.path("apiVersion").asText() + "|" + json.path("kind").asText();
        Schema schema = byApiVersionKind.get(key);
        if (schema == null) {
            return List.of("no CRD schema for " + key);
        }
        List<String> out = new ArrayList<>();
        schema.validate(json).forEach(e -> out.add(e.getInstanceLocation() + ": " + e.getMessage()));
        return out;
    }

    public void assertValid(Object obj) {
        List<String> v = violations(obj);
        if (!v.isEmpty()) {
            throw new AssertionError("a real API server would refuse this object: " + v);
        }
    }
}
