package io.fulfillmenthub.security;

import java.nio.file.Path;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Observes;

/**
 * In embedded mode (no production issuer configured) a first start needs an RSA key pair for the token issuer; making
 * it in a cold JVM takes a second or more of CPU. It is begun here, as soon as the CDI container exists (static init,
 * well before {@link OidcSetup} needs it), on a thread of its own ({@link EmbeddedIssuer#prepareKeys}). Runtime config
 * is not available yet: only the environment is read, and a wrong guess costs nothing but that background work.
 */
@ApplicationScoped
public class IssuerKeysAhead {

    static void begin(@Observes @Initialized(ApplicationScoped.class) Object containerReady) {
        if (blank("HUB_AUTH_ISSUER") && blank("HUB_AUTH_JWKS_URL") && blank("HUB_AUTH_PUBLIC_KEY")) {
            String dir = System.getenv("HUB_DATA_DIR");
            EmbeddedIssuer.prepareKeys(blank("HUB_DATA_DIR") ? Path.of(System.getProperty("user.dir"), "data") : Path.of(dir));
        }
    }

    private static boolean blank(String env) {
        String v = System.getenv(env);
        return v == null || v.isBlank();
    }
}
