package io.fulfillmenthub.alerts;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

import com.fasterxml.jackson.core.type.TypeReference;
import io.fulfillmenthub.http.Api;
import io.fulfillmenthub.http.ProblemException;
import io.fulfillmenthub.store.Json;
import io.quarkus.runtime.Startup;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import org.apache.camel.Exchange;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * The shared secrets the alert senders present: Alertmanager a bearer token ({@code HUB_ALERTMANAGER_TOKEN}; basic
 * auth with the token as password is accepted too, as Alertmanager's {@code http_config} can send either), BMCs a
 * header token ({@code HUB_REDFISH_TOKEN} in {@code X-Hub-Token}, the header name configurable). Compared in
 * constant time. In embedded mode (no production token issuer configured) missing tokens are generated once and kept
 * in {@code $HUB_DATA_DIR/alert-tokens.json}; in production a missing token keeps its endpoint closed.
 */
@Startup
@ApplicationScoped
public class AlertTokens {

    private static final Logger LOG = Logger.getLogger(AlertTokens.class);
    static final String FILE = "alert-tokens.json";
    static final String ALERTMANAGER = "alertmanager";
    static final String REDFISH = "redfish";

    @ConfigProperty(name = "hub.alerts.alertmanager-token")
    Optional<String> alertmanagerToken;
    @ConfigProperty(name = "hub.alerts.redfish-token")
    Optional<String> redfishToken;
    @ConfigProperty(name = "hub.alerts.redfish-token-header", defaultValue = "X-Hub-Token")
    String redfishHeader;
    @ConfigProperty(name = "hub.auth.issuer")
    Optional<String> issuer;
    @ConfigProperty(name = "hub.auth.jwks-url")
    Optional<String> jwksUrl;
    @ConfigProperty(name = "hub.auth.public-key")
    Optional<String> publicKey;
    @ConfigProperty(name = "hub.data-dir", defaultValue = "data")
    Path dataDir;

    private byte[] alertmanagerDigest;
    private byte[] redfishDigest;

    @PostConstruct
    void init() {
        String am = alertmanagerToken.map(String::trim).filter(s -> !s.isEmpty()).orElse(null);
        String rf = redfishToken.map(String::trim).filter(s -> !s.isEmpty()).orElse(null);
        boolean embedded = issuer.isEmpty() && jwksUrl.isEmpty() && publicKey.isEmpty();
        if ((am == null || rf == null) && embedded) {
            Map<String, String> stored = generated(am == null, rf == null);
            am = am == null ? stored.get(ALERTMANAGER) : am;
            rf = rf == null ? stored.get(REDFISH) : rf;
            LOG.infof("Alert webhook tokens generated for embedded mode: %s", dataDir.resolve(FILE).toAbsolutePath());
        }
        if (am == null) {
            LOG.warn("POST /webhooks/alertmanager refuses every call: set HUB_ALERTMANAGER_TOKEN");
        }
        if (rf == null) {
            LOG.warn("POST /webhooks/redfish refuses every call: set HUB_REDFISH_TOKEN");
        }
        alertmanagerDigest = am == null ? null : digest(am);
        redfishDigest = rf == null ? null : digest(rf);
    }

    /** Reads {@code alert-tokens.json}, adding a random token for each missing one. */
    private Map<String, String> generated(boolean needAm, boolean needRf) {
        Path file = dataDir.resolve(FILE);
        try {
            Map<String, String> tokens = new LinkedHashMap<>();
            if (Files.exists(file)) {
                tokens.putAll(Json.MAPPER.readValue(Files.readString(file), new TypeReference<Map<String, String>>() {
                }));
            }
            boolean changed = false;
            if (needAm && !tokens.containsKey(ALERTMANAGER)) {
                tokens.put(ALERTMANAGER, random());
                changed = true;
            }
            if (needRf && !tokens.containsKey(REDFISH)) {
                tokens.put(REDFISH, random());
                changed = true;
            }
            if (changed) {
                Files.createDirectories(dataDir);
                Path tmp = Files.createTempFile(dataDir, "alert-tokens", ".tmp");
                try {
                    Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
                } catch (UnsupportedOperationException notPosix) {
                    // best effort on other file systems
                }
                Files.writeString(tmp, Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(tokens));
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            }
            return tokens;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot keep the alert webhook tokens in " + file, e);
        }
    }

    private static String random() {
        byte[] b = new byte[32];
        new SecureRandom().nextBytes(b);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }

    /** Alertmanager: {@code Authorization: Bearer <token>} (or Basic with the token as password), else 401. */
    public void requireAlertmanager(Exchange ex) {
        String header = Api.header(ex, "Authorization");
        String presented = null;
        if (header != null && header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            presented = header.substring(7).trim();
        } else if (header != null && header.regionMatches(true, 0, "Basic ", 0, 6)) {
            try {
                String pair = new String(Base64.getDecoder().decode(header.substring(6).trim()), StandardCharsets.UTF_8);
                int colon = pair.indexOf(':');
                presented = colon < 0 ? null : pair.substring(colon + 1);
            } catch (IllegalArgumentException e) {
                presented = null;
            }
        }
        check(alertmanagerDigest, presented, "Authorization: Bearer <HUB_ALERTMANAGER_TOKEN>");
    }

    /** Redfish: the token header ({@code X-Hub-Token} unless configured otherwise), else 401. */
    public void requireRedfish(Exchange ex) {
        check(redfishDigest, Api.header(ex, redfishHeader), redfishHeader + ": <HUB_REDFISH_TOKEN>");
    }

    public String redfishHeader() {
        return redfishHeader;
    }

    private static void check(byte[] expected, String presented, String how) {
        if (presented == null || presented.isBlank()) {
            throw unauthorized("a token is required (" + how + ")");
        }
        // digests have equal length whatever was presented, and MessageDigest.isEqual does not stop early
        if (expected == null || !MessageDigest.isEqual(expected, digest(presented.trim()))) {
            throw unauthorized("the token is not the configured one");
        }
    }

    private static ProblemException unauthorized(String detail) {
        return new ProblemException(401, "unauthorized", "Unauthorized", detail, null);
    }

    static byte[] digest(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
