package io.fulfillmenthub.billing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import com.fasterxml.jackson.core.type.TypeReference;
import io.fulfillmenthub.security.signing.StandardWebhooks;
import io.fulfillmenthub.store.Json;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * The webhook signing secrets: from {@code HUB_STRIPE_WEBHOOK_SECRETS} and {@code HUB_BILLING_WEBHOOK_SECRETS}
 * (comma-separated, several during a rotation). When neither is set, the embedded mode generates both once and keeps
 * them in {@code $HUB_DATA_DIR/secrets.json} (mode 600) so a demo can sign test deliveries. Never logged.
 */
@io.quarkus.runtime.Startup
@ApplicationScoped
public class BillingSecrets {

    private static final Logger LOG = Logger.getLogger(BillingSecrets.class);

    @ConfigProperty(name = "hub.billing.stripe-webhook-secrets")
    Optional<String> stripeConfigured;
    @ConfigProperty(name = "hub.billing.webhook-secrets")
    Optional<String> standardConfigured;
    @ConfigProperty(name = "hub.data-dir", defaultValue = "data")
    Path dataDir;

    private List<String> stripe;
    private List<String> standard;

    @PostConstruct
    void init() {
        stripe = split(stripeConfigured);
        standard = split(standardConfigured);
        if (stripe.isEmpty() && standard.isEmpty()) {
            Map<String, String> generated = generated();
            stripe = List.of(generated.get("stripe_webhook_secret"));
            standard = List.of(generated.get("billing_webhook_secret"));
            LOG.infof("Billing webhook secrets generated for the embedded mode: %s", dataDir.resolve("secrets.json").toAbsolutePath());
        }
    }

    public List<String> stripe() {
        return stripe;
    }

    public List<String> standard() {
        return standard;
    }

    private Map<String, String> generated() {
        Path file = dataDir.resolve("secrets.json");
        try {
            Map<String, String> secrets = new LinkedHashMap<>();
            if (Files.exists(file)) {
                secrets.putAll(Json.MAPPER.readValue(Files.readAllBytes(file), new TypeReference<Map<String, String>>() {
                }));
            }
            boolean changed = false;
            for (String key : List.of("stripe_webhook_secret", "billing_webhook_secret")) {
                if (secrets.get(key) == null) {
                    secrets.put(key, StandardWebhooks.generateSecret());
                    changed = true;
                }
            }
            if (changed) {
                Files.createDirectories(dataDir);
                Files.write(file, Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsBytes(secrets));
                try {
                    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
                } catch (UnsupportedOperationException ignored) {
                    // not POSIX
                }
            }
            return secrets;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static List<String> split(Optional<String> value) {
        return value.map(v -> Arrays.stream(v.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList())
                .orElse(List.of());
    }
}
