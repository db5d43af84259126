package io.fulfillmenthub.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import org.junit.jupiter.api.Test;

/** The kustomize base parses, names real files, ships every admin-editable file and wires the settings. */
class DeployManifestsTest {

    static final Path BASE = Path.of("deploy/base");
    static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    static JsonNode read(Path p) throws IOException {
        return YAML.readTree(p.toFile());
    }

    static List<JsonNode> readAll(Path p) throws IOException {
        List<JsonNode> docs = new ArrayList<>();
        try (YAMLParser parser = new YAMLFactory().createParser(p.toFile())) {
            YAML.readValues(parser, JsonNode.class).forEachRemaining(docs::add);
        }
        return docs;
    }

    @Test
    void everyResourceIsAKubernetesObject() throws IOException {
        JsonNode k = read(BASE.resolve("kustomization.yaml"));
        assertEquals("Kustomization", k.path("kind").asText());
        Set<String> kinds = new HashSet<>();
        for (JsonNode r : k.path("resources")) {
            Path file = BASE.resolve(r.asText());
            assertTrue(Files.exists(file), "missing resource " + file);
            for (JsonNode doc : readAll(file)) {
                assertFalse(doc.path("apiVersion").asText().isEmpty(), file + " has no apiVersion");
                assertFalse(doc.path("metadata").path("name").asText().isEmpty(), file + " has no name");
                kinds.add(doc.path("kind").asText());
            }
        }
        assertTrue(kinds.containsAll(Set.of("Deployment", "Service", "ServiceAccount", "ClusterRole", "ClusterRoleBinding")),
                "kinds: " + kinds);
    }

    @Test
    void configMapsShipEveryRouteKameletAndTemplate() throws IOException {
        JsonNode k = read(BASE.resolve("kustomization.yaml"));
        assertShips(k, "hub-routes", Path.of("routes"));
        assertShips(k, "hub-kamelets", Path.of("kamelets"));
        assertShips(k, "hub-catalog", Path.of("catalog"));
    }

    private void assertShips(JsonNode k, String configMap, Path folder) throws IOException {
        Set<String> listed = new TreeSet<>();
        for (JsonNode g : k.path("configMapGenerator")) {
            if (g.path("name").asText().equals(configMap)) {
                for (JsonNode f : g.path("files")) {
                    Path file = BASE.resolve(f.asText()).normalize();
                    assertTrue(Files.exists(file), configMap + " names a missing file " + file);
                    listed.add(file.getFileName().toString());
                }
            }
        }
        Set<String> present = new TreeSet<>();
        if (Files.isDirectory(folder)) {
            try (Stream<Path> files = Files.list(folder)) {
                files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".yaml")).forEach(present::add);
            }
        }
        assertEquals(present, listed, configMap + " must ship exactly the files of " + folder);
    }

    @Test
    void deploymentMountsTheFoldersAndReadsSecrets() throws IOException {
        JsonNode d = read(BASE.resolve("deployment.yaml"));
        JsonNode container = d.at("/spec/template/spec/containers/0");
        Set<String> env = new HashSet<>();
        container.path("env").forEach(e -> env.add(e.path("name").asText()));
        assertTrue(env.containsAll(Set.of("HUB_DATA_DIR", "HUB_ROUTES_DIR", "HUB_KAMELETS_DIR", "HUB_CATALOG_DIR",
                "HUB_DB_URL", "HUB_DB_USER", "HUB_DB_PASSWORD", "HUB_AUTH_ISSUER")), "env: " + env);
        container.path("env").forEach(e -> {
            if (e.path("name").asText().startsWith("HUB_DB_") || e.path("name").asText().startsWith("HUB_AUTH_")) {
                assertTrue(e.has("valueFrom"), e.path("name").asText() + " must come from a Secret");
            }
        });
        Set<String> volumes = new HashSet<>();
        d.at("/spec/template/spec/volumes").forEach(v -> volumes.add(v.path("configMap").path("name").asText()));
        assertTrue(volumes.containsAll(Set.of("hub-routes", "hub-kamelets", "hub-catalog")), "volumes: " + volumes);
        assertEquals("/q/health/ready", container.at("/readinessProbe/httpGet/path").asText());
        assertEquals("/q/health/live", container.at("/livenessProbe/httpGet/path").asText());
    }

    @Test
    void theContainerStartsTheJvmAsTheReadmeLauncherDoes() throws IOException {
        JsonNode container = read(BASE.resolve("deployment.yaml")).at("/spec/template/spec/containers/0");
        String deployed = null;
        for (JsonNode e : container.path("env")) {
            if (e.path("name").asText().equals("JAVA_TOOL_OPTIONS")) {
                deployed = e.path("value").asText();
            }
        }
        assertEquals(hubJavaOptions(), deployed, "deploy/base and ./hub start the JVM with the same options");
    }

    /** The JVM options {@code ./hub} starts the hub with unless {@code HUB_JAVA_OPTS} replaces them. */
    static String hubJavaOptions() throws IOException {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("HUB_JAVA_OPTS:-([^}]*)}")
                .matcher(Files.readString(Path.of("hub")));
        assertTrue(m.find(), "./hub has default JVM options");
        return m.group(1);
    }
}
