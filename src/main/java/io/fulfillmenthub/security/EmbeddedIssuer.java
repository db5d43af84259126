package io.fulfillmenthub.security;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

import io.fulfillmenthub.store.Json;

/**
 * The embedded mode's own token issuer: an RSA key pair kept in the data directory and ready-made tokens for a demo
 * tenant and for each provider role, written to {@code tokens.json}. Used only when no production issuer is set.
 */
public final class EmbeddedIssuer {

    public static final String ISSUER = "urn:fulfillment-hub:embedded";
    public static final String DEMO_TENANT = "demo";
    public static final String OTHER_TENANT = "acme";

    private final Path dir;
    private final KeyPair keys;

    private EmbeddedIssuer(Path dir, KeyPair keys) {
        this.dir = dir;
        this.keys = keys;
    }

    /** Loads the key pair from {@code <dataDir>/auth}, creating it on first start. */
    public static EmbeddedIssuer open(Path dataDir) {
        Path dir = dataDir.resolve("auth");
        Path priv = dir.resolve("jwt-private.der");
        Path pub = dir.resolve("jwt-public.der");
        try {
            Files.createDirectories(dir);
            KeyFactory kf = KeyFactory.getInstance("RSA");
            if (Files.exists(priv) && Files.exists(pub)) {
                PrivateKey pk = kf.generatePrivate(new PKCS8EncodedKeySpec(Files.readAllBytes(priv)));
                PublicKey pu = kf.generatePublic(new X509EncodedKeySpec(Files.readAllBytes(pub)));
                return new EmbeddedIssuer(dataDir, new KeyPair(pu, pk));
            }
            KeyPair kp = takeEarlyKeys();
            if (kp == null) {
                kp = generate();
            }
            writePrivate(priv, kp.getPrivate().getEncoded());
            Files.write(pub, kp.getPublic().getEncoded());
            return new EmbeddedIssuer(dataDir, kp);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static volatile CompletableFuture<KeyPair> early;

    /**
     * Starts making a key pair on a thread of its own when {@code dataDir} has none yet, so that the first start of a
     * hub does not wait for it (a 2048-bit RSA key takes a second or more of CPU while the JVM is cold). Called by
     * {@link IssuerKeysAhead} as the CDI container starts; {@link #open} takes that pair when it has to create one.
     */
    public static void prepareKeys(Path dataDir) {
        if (Files.exists(dataDir.resolve("auth").resolve("jwt-private.der"))) {
            return;
        }
        early = CompletableFuture.supplyAsync(() -> {
            try {
                return generate();
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException(e);
            }
        }, r -> {
            Thread t = new Thread(r, "embedded-issuer-keys");
            t.setDaemon(true);
            t.start();
        });
    }

    private static KeyPair takeEarlyKeys() {
        CompletableFuture<KeyPair> f = early;
        early = null;
        if (f == null) {
            return null;
        }
        try {
            return f.join();
        } catch (RuntimeException e) {
            return null; // made again on this thread
        }
    }

    private static KeyPair generate() throws GeneralSecurityException {
        KeyPairGenerator gen = KeyPairGenerator.getInstance("RSA");
        gen.initialize(2048);
        return gen.generateKeyPair();
    }

    private static void writePrivate(Path file, byte[] der) throws IOException {
        Files.write(file, der);
        try {
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        } catch (UnsupportedOperationException ignored) {
            // not a POSIX file system
        }
    }

    /** The public key, base64 DER, as quarkus-oidc's {@code public-key} setting takes it. */
    public String publicKeyBase64() {
        return Base64.getEncoder().encodeToString(keys.getPublic().getEncoded());
    }

    /** Signs an RS256 JWT with the embedded key. */
    public String token(String subject, String tenant, List<String> groups, Duration lifetime) {
        Instant now = Instant.now();
        Map<String, Object> header = new LinkedHashMap<>();
        header.put("alg", "RS256");
        header.put("typ", "JWT");
        Map<String, Object> claims = new LinkedHashMap<>();
        claims.put("iss", ISSUER);
        claims.put("sub", subject);
        claims.put("upn", subject);
        if (tenant != null) {
            claims.put("tenant", tenant);
        }
        claims.put("groups", groups);
        claims.put("iat", now.getEpochSecond());
        claims.put("exp", now.plus(lifetime).getEpochSecond());
        claims.put("jti", UUID.randomUUID().toString());
        Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
        String signingInput = b64.encodeToString(Json.write(header).getBytes(StandardCharsets.UTF_8)) + "."
                + b64.encodeToString(Json.write(claims).getBytes(StandardCharsets.UTF_8));
        try {
            Signature s = Signature.getInstance("SHA256withRSA");
            s.initSign(keys.getPrivate());
            s.update(signingInput.getBytes(StandardCharsets.US_ASCII));
            return signingInput + "." + b64.encodeToString(s.sign());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Writes {@code tokens.json}: demo tenant admin/user, another tenant's admin, and one token per provider role. */
    public Path writeTokens(Duration lifetime) {
        Map<String, String> tokens = new LinkedHashMap<>();
        tokens.put("tenant-admin", token("alice@demo", DEMO_TENANT, List.of("tenant-admin", "tenant-user"), lifetime));
        tokens.put("tenant-user", token("bob@demo", DEMO_TENANT, List.of("tenant-user"), lifetime));
        tokens.put("other-tenant-admin", token("carol@acme", OTHER_TENANT, List.of("tenant-admin", "tenant-user"), lifetime));
        for (Role r : List.of(Role.SRE, Role.SERVER_ADMIN, Role.NETWORK_ADMIN, Role.PLATFORM_ADMIN, Role.PROVIDER_ADMIN)) {
            tokens.put(r.claim(), token(r.claim() + "@provider", null, List.of(r.claim()), lifetime));
        }
        Path file = dir.resolve("tokens.json");
        try {
            Files.createDirectories(dir);
            Path tmp = dir.resolve("tokens.json.tmp");
            writePrivate(tmp, Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsBytes(tokens));
            Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                    java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
