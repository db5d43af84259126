package io.fulfillmenthub.billing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.core.type.TypeReference;
import io.fulfillmenthub.store.Db;
import io.fulfillmenthub.store.Json;
import io.fulfillmenthub.testsupport.Tokens;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

/** The portal developer's script (examples/portal_order.py), run against the running hub, both ways. */
@QuarkusTest
class PortalExampleTest {

    @TestHTTPResource("/")
    URL hub;

    @Inject
    Db db;

    static String run(List<String> args) throws Exception {
        Process p = new ProcessBuilder(args).redirectErrorStream(true).start();
        boolean done = p.waitFor(90, TimeUnit.SECONDS);
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(done, "script did not finish: " + out);
        assertEquals(0, p.exitValue(), out);
        return out;
    }

    @Test
    void signedWebhookAndApiOrderBothMakeOneClusterEachEvenWhenRepeated() throws Exception {
        Map<String, String> secrets = Json.MAPPER.readValue(Files.readAllBytes(Tokens.dataDir().resolve("secrets.json")),
                new TypeReference<>() {
                });
        String base = hub.toString().replaceAll("/$", "");
        String name = "portal" + UUID.randomUUID().toString().substring(0, 6);
        List<String> webhook = List.of("python3", "examples/portal_order.py", "--hub", base, "--mode", "webhook",
                "--secret", secrets.get("billing_webhook_secret"), "--token", Tokens.of("tenant-admin"),
                "--order", "ord-" + name, "--tenant", "demo", "--template", "ocp-small", "--workers", "1",
                "--duration", "P1D", "--name", name);
        assertTrue(run(webhook).contains("\"cluster_id\""));
        run(webhook); // the portal retries: still one cluster
        assertEquals(1L, (long) db.read(c -> Db.count(c, "select count(*) from clusters where name = ?", name)));

        String apiName = name + "b";
        List<String> api = List.of("python3", "examples/portal_order.py", "--hub", base, "--mode", "api",
                "--token", Tokens.of("tenant-admin"), "--order", "ord-" + apiName, "--template", "ocp-small",
                "--workers", "1", "--duration", "P1D", "--name", apiName);
        assertTrue(run(api).contains("PROGRESSING"));
        run(api);
        assertEquals(1L, (long) db.read(c -> Db.count(c, "select count(*) from clusters where name = ?", apiName)));
    }
}
