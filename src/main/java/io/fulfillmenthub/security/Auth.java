package io.fulfillmenthub.security;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;
import java.util.Collections;
import java.util.EnumSet;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

import io.fulfillmenthub.http.Api;
import io.fulfillmenthub.http.ProblemException;
import io.quarkus.oidc.AccessTokenCredential;
import io.quarkus.oidc.TenantIdentityProvider;
import io.quarkus.security.identity.SecurityIdentity;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.inject.Named;
import org.apache.camel.Exchange;
import org.eclipse.microprofile.jwt.JsonWebToken;
import org.jboss.logging.Logger;

/**
 * Authenticates API calls: the bearer JWT is verified by quarkus-oidc against the configured issuer (or the embedded
 * key pair), then the caller's roles are checked. Failures are 401/403 problems; the token itself is never logged.
 */
@ApplicationScoped
@Named("auth")
public class Auth {

    private static final Logger LOG = Logger.getLogger(Auth.class);
    private static final String CALLER = "hub.caller";

    /** Verified tokens kept at most this long (a key the issuer retires stops being trusted within it)... */
    static final long VERIFIED_MAX_AGE_MS = 300_000;
    /** ...and at most this many of them. */
    static final int VERIFIED_MAX = 10_000;

    @Inject
    TenantIdentityProvider identities;

    /**
     * Callers of tokens already verified, by SHA-256 of the token (the token itself is not kept), until the token
     * expires or {@link #VERIFIED_MAX_AGE_MS} passes, whichever is first. A repeat call then skips the signature
     * check and claims parsing, which was a tenth of the CPU of a list request. Only successes are kept.
     */
    private final ConcurrentHashMap<String, Verified> verified = new ConcurrentHashMap<>();

    private record Verified(Caller caller, long untilMillis) {
    }

    /** The verified caller of this exchange, or a 401 problem. */
    public Caller caller(Exchange ex) {
        Caller cached = ex.getProperty(CALLER, Caller.class);
        if (cached != null) {
            return cached;
        }
        Caller caller = verify(Api.header(ex, "Authorization"));
        ex.setProperty(CALLER, caller);
        return caller;
    }

    /** The caller, who must hold one of the roles (403 otherwise). */
    public Caller require(Exchange ex, Role... anyOf) {
        return check(caller(ex), anyOf);
    }

    /** Any authenticated caller. */
    public Caller any(Exchange ex) {
        return caller(ex);
    }

    /**
     * The same checks as {@link #require(Exchange, Role...)} for a request that is not a Camel exchange (a Vert.x
     * route such as the SSE stream): the {@code Authorization} header's value in, the caller or a 401/403 problem out.
     * Blocks while the token is verified: call it off the event loop.
     */
    public Caller requireBearer(String authorization, Role... anyOf) {
        return check(verify(authorization), anyOf);
    }

    /** Verifies the bearer token of an Authorization header; the caller it names, or a 401 problem. */
    Caller verify(String authorization) {
        if (authorization == null || authorization.isBlank()) {
            throw ProblemException.unauthorized("a bearer token is required (Authorization: Bearer <JWT>)");
        }
        if (!authorization.regionMatches(true, 0, "Bearer ", 0, 7) || authorization.length() <= 7) {
            throw ProblemException.unauthorized("the Authorization header must carry a bearer token");
        }
        String token = authorization.substring(7).trim();
        String key = sha256(token);
        long now = System.currentTimeMillis();
        Verified known = verified.get(key);
        if (known != null) {
            if (now < known.untilMillis()) {
                return known.caller();
            }
            verified.remove(key, known);
        }
        SecurityIdentity identity;
        try {
            identity = identities.authenticate(new AccessTokenCredential(token))
                    .await().atMost(Duration.ofSeconds(15));
        } catch (RuntimeException e) {
            LOG.debugf("token refused: %s", e.getClass().getSimpleName());
            throw ProblemException.unauthorized("the bearer token is invalid, expired or not signed by the trusted issuer");
        }
        if (identity == null || identity.isAnonymous()) {
            throw ProblemException.unauthorized("the bearer token is invalid");
        }
        String tenant = null;
        long expiresMillis = 0;
        if (identity.getPrincipal() instanceof JsonWebToken jwt) {
            Object t = jwt.getClaim("tenant");
            tenant = t == null ? null : t.toString().replace("\"", "");
            if (tenant != null && tenant.isBlank()) {
                tenant = null;
            }
            expiresMillis = jwt.getExpirationTime() * 1000;
        }
        Set<Role> roles = EnumSet.noneOf(Role.class);
        for (Role r : Role.values()) {
            if (identity.getRoles().contains(r.claim())) {
                roles.add(r);
            }
        }
        Caller caller = new Caller(identity.getPrincipal().getName(), tenant, Collections.unmodifiableSet(roles));
        remember(key, caller, expiresMillis, now);
        return caller;
    }

    /** Keeps a verified caller until its token's expiry (a token without {@code exp} is not kept). */
    private void remember(String key, Caller caller, long expiresMillis, long now) {
        if (expiresMillis <= now) {
            return;
        }
        if (verified.size() >= VERIFIED_MAX) {
            verified.values().removeIf(v -> v.untilMillis() <= now);
            if (verified.size() >= VERIFIED_MAX) {
                verified.clear();
            }
        }
        verified.put(key, new Verified(caller, Math.min(expiresMillis, now + VERIFIED_MAX_AGE_MS)));
    }

    /** Forgets every verified token (tests; a change of issuer keys). */
    public void forgetVerified() {
        verified.clear();
    }

    private static String sha256(String token) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
            return Base64.getEncoder().encodeToString(d);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** 403 unless the caller holds one of the roles (and a tenant, for tenant-only roles). */
    static Caller check(Caller c, Role... anyOf) {
        if (!c.hasAny(anyOf)) {
            throw ProblemException.forbidden("this needs one of the roles "
                    + Arrays.stream(anyOf).map(Role::claim).collect(Collectors.joining(", ")));
        }
        if (Arrays.stream(anyOf).allMatch(Role::isTenantRole) && c.tenant() == null) {
            throw ProblemException.forbidden("the token names no tenant");
        }
        return c;
    }
}
