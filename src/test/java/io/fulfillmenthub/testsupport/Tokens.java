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

    public static Path dataDir() {
        return Path.of(ConfigProvider.getConfig().getValue("hub.data-dir", String.class));
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
