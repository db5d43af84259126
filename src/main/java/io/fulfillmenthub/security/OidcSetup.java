package io.fulfillmenthub.security;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

import io.fulfillmenthub.ops.Aside;
import io.quarkus.oidc.Oidc;
import io.quarkus.oidc.OidcTenantConfig;
import io.quarkus.oidc.OidcTenantConfigBuilder;
import io.quarkus.oidc.runtime.OidcTenantConfig.ApplicationType;
import io.quarkus.oidc.runtime.OidcTenantConfig.Roles.Source;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Configures quarkus-oidc's default tenant at start-up. Production: the issuer's JWKS URL (or OIDC discovery from the
 * issuer URL, or a fixed public key). Without any of them the hub runs its embedded issuer and writes demo tokens.
 */
@ApplicationScoped
public class OidcSetup {

    private static final Logger LOG = Logger.getLogger(OidcSetup.class);

    @ConfigProperty(name = "hub.auth.issuer")
    Optional<String> issuer;
    @ConfigProperty(name = "hub.auth.jwks-url")
    Optional<String> jwksUrl;
    @ConfigProperty(name = "hub.auth.public-key")
    Optional<String> publicKey;
    @ConfigProperty(name = "hub.auth.audience")
    Optional<String> audience;
    @ConfigProperty(name = "hub.auth.embedded.token-lifetime", defaultValue = "P7D")
    Duration tokenLifetime;
    @ConfigProperty(name = "hub.data-dir", defaultValue = "data")
    Path dataDir;

    private CompletableFuture<Path> tokensWritten;

    void configure(@Observes Oidc oidc) {
        OidcTenantConfigBuilder b = OidcTenantConfig.builder().tenantId("Default")
                .applicationType(ApplicationType.SERVICE)
                .roles(Source.accesstoken, "groups");
        String expectedIssuer;
        if (jwksUrl.isPresent()) {
            b.discoveryEnabled(false).authServerUrl(issuer.orElse(jwksUrl.get())).jwksPath(jwksUrl.get());
            expectedIssuer = issuer.orElse(null);
            LOG.infof("API tokens verified against the JWKS at %s", jwksUrl.get());
        } else if (publicKey.isPresent()) {
            b.publicKey(stripPem(publicKey.get()));
            expectedIssuer = issuer.orElse(null);
            LOG.info("API tokens verified against the configured public key");
        } else if (issuer.isPresent()) {
            b.authServerUrl(issuer.get());
            expectedIssuer = issuer.get();
            LOG.infof("API tokens verified against the issuer %s (OIDC discovery)", issuer.get());
        } else {
            EmbeddedIssuer embedded = EmbeddedIssuer.open(dataDir);
            b.publicKey(embedded.publicKeyBase64());
            expectedIssuer = EmbeddedIssuer.ISSUER;
            // eight RS256 signatures (~0.1 s in a cold JVM) made beside Camel's boot, written before the API listens
            tokensWritten = Aside.begin("embedded-issuer-tokens", () -> embedded.writeTokens(tokenLifetime));
        }
        var token = b.token();
        if (expectedIssuer != null) {
            token.issuer(expectedIssuer);
        }
        audience.ifPresent(token::audience);
        oidc.create(token.end().build());
    }

    /** The demo tokens are in {@code tokens.json} before the HTTP server listens, as when they were written in line. */
    void awaitTokens(@Observes @Priority(0) StartupEvent ev) {
        if (tokensWritten != null) {
            Path tokens = Aside.join(tokensWritten);
            tokensWritten = null;
            LOG.infof("Embedded issuer: ready API tokens written to %s (demo tenant '%s')", tokens.toAbsolutePath(),
                    EmbeddedIssuer.DEMO_TENANT);
        }
    }

    static String stripPem(String pem) {
        return pem.replaceAll("-----(BEGIN|END) [A-Z ]+-----", "").replaceAll("\\s", "");
    }
}
