package io.fulfillmenthub.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import com.fasterxml.jackson.core.type.TypeReference;
import io.fulfillmenthub.store.Json;
import org.eclipse.microprofile.config.ConfigProvider;

/** The ready tokens the embedded issuer wrote to {@code $HUB_DATA_DIR/tokens.json} for the running test hub. */
public final class Tokens {

    private Tokens() {
    }

    /**
     * The test hub's configuration, looked up by the class loader that loaded this class (the test application's),
     * not the calling thread's: a test's own pool threads (CompletableFuture's, on JDK 25 the common pool's) have
     * the system class loader as context class loader, where {@code ${quarkus.uuid}} does not resolve.
     */
    public static Path dataDir() {
        return Path.of(ConfigProvider.getConfig(Tokens.class.getClassLoader()).getValue("hub.data-dir", String.class));
    }

    public static Map<String, String> all() {
        try {
            return Json.MAPPER.readValue(Files.readString(dataDir().resolve("tokens.json")), new TypeReference<>() {
            });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The token of a role: tenant-admin, tenant-user, other-tenant-admin, sre, server-admin, ... */
    public static String of(String role) {
        String t = all().get(role);
        if (t == null) {
            throw new IllegalArgumentException("no token for " + role);
        }
        return t;
    }

    public static String bearer(String role) {
        return "Bearer " + of(role);
    }
}
