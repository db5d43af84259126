package io.fulfillmenthub.billing.signature;

import io.fulfillmenthub.security.signing.Hmac;
import io.fulfillmenthub.security.signing.SignatureFailure;
import io.fulfillmenthub.security.signing.SignatureVerificationException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * Verifies the {@code Stripe-Signature} header the way Stripe's SDKs do.
 *
 * <ul>
 *   <li>Header {@code t=<unix s>,v1=<hex>[,v1=<hex>...]}: split on {@code ,}, each item on its first {@code =};
 *       items without {@code =} are ignored; the first {@code t} wins; only scheme {@code v1} counts (v0 and
 *       unknown schemes are ignored); any matching {@code v1} is accepted.</li>
 *   <li>Signed bytes {@code <t>.<raw body>}; HMAC-SHA256 keyed with the whole secret string as UTF-8
 *       ({@code whsec_} prefix included); compared as raw bytes with {@link MessageDigest#isEqual}.</li>
 *   <li>Several secrets may be configured (rolling an endpoint secret): any may match.</li>
 *   <li>Timestamps older than the tolerance (default 300 s) are rejected, after the signature check, like
 *       the SDKs. <b>Deviation:</b> the SDKs accept any future timestamp; this class also rejects timestamps more
 *       than {@code futureTolerance} (default 300 s) ahead of {@code now}, since a genuine Stripe delivery is
 *       signed at send time and a far-future one can only be clock trouble or a pre-computed replay.</li>
 * </ul>
 *
 * <p>Immutable and thread-safe.
 */
public final class StripeSignature {
    public static final String HEADER = "Stripe-Signature";
    public static final String SCHEME = "v1";
    public static final Duration DEFAULT_TOLERANCE = Duration.ofSeconds(300);

    private static final Pattern TIMESTAMP = Pattern.compile("\\d{1,12}");
    private static final byte[] DOT = {'.'};

    private final Duration tolerance;
    private final Duration futureTolerance;

    /** 300 s in the past, 300 s in the future. */
    public StripeSignature() {
        this(DEFAULT_TOLERANCE, DEFAULT_TOLERANCE);
    }

    /** {@code tolerance} both ways. */
    public StripeSignature(Duration tolerance) {
        this(tolerance, tolerance);
    }

    public StripeSignature(Duration tolerance, Duration futureTolerance) {
        this.tolerance = requireNonNegative(tolerance, "tolerance");
        this.futureTolerance = requireNonNegative(futureTolerance, "futureTolerance");
    }

    /** A successful verification: the signed timestamp and which secret matched. */
    public record Verified(Instant timestamp, int secretIndex) {
    }

    /** Lowercase hex HMAC-SHA256 of {@code t + "." + body} keyed with {@code secret} (UTF-8). */
    public static String sign(String secret, long t, byte[] body) {
        if (secret == null || secret.isBlank()) {
            throw new IllegalArgumentException("secret must not be blank");
        }
        if (t < 0) {
            throw new IllegalArgumentException("t must not be negative");
        }
        return HexFormat.of().formatHex(mac(secret, Long.toString(t), Objects.requireNonNull(body, "body")));
    }

    /** A complete header value {@code t=<t>,v1=<hex>}, like the SDKs' test-header helpers. */
    public static String header(String secret, long t, byte[] body) {
        return "t=" + t + "," + SCHEME + "=" + sign(secret, t, body);
    }

    /**
     * Verifies a delivery.
     *
     * @param header  the {@code Stripe-Signature} value
     * @param rawBody the request body exactly as received
     * @param secrets accepted endpoint secrets ({@code whsec_...}), any may match
     * @param now     the receiver's clock
     * @throws SignatureVerificationException with the precise {@link SignatureFailure}
     */
    public Verified verify(String header, byte[] rawBody, List<String> secrets, Instant now)
            throws SignatureVerificationException {
        Objects.requireNonNull(rawBody, "rawBody");
        Objects.requireNonNull(now, "now");
        if (header == null || header.isBlank()) {
            throw new SignatureVerificationException(SignatureFailure.MISSING_HEADERS, "missing " + HEADER);
        }
        String t = null;
        List<String> signatures = new ArrayList<>();
        Set<String> otherSchemes = new TreeSet<>();
        for (String item : header.split(",")) {
            int eq = item.indexOf('=');
            if (eq < 0) {
                continue;
            }
            String key = item.substring(0, eq).strip();
            String value = item.substring(eq + 1).strip();
            if ("t".equals(key)) {
                if (t == null) {
                    t = value;
                }
            } else if (SCHEME.equals(key)) {
                signatures.add(value);
            } else {
                otherSchemes.add(key);
            }
        }
        if (t == null) {
            throw new SignatureVerificationException(SignatureFailure.MALFORMED_HEADER,
                    HEADER + " has no t=<timestamp> item");
        }
        if (!TIMESTAMP.matcher(t).matches()) {
            throw new SignatureVerificationException(SignatureFailure.BAD_TIMESTAMP,
                    HEADER + " t is not integer unix seconds");
        }
        Instant timestamp = Instant.ofEpochSecond(Long.parseLong(t));
        if (secrets == null || secrets.isEmpty()) {
            throw new SignatureVerificationException(SignatureFailure.MALFORMED_SECRET, "no secret configured");
        }
        for (int i = 0; i < secrets.size(); i++) {
            if (secrets.get(i) == null || secrets.get(i).isBlank()) {
                throw new SignatureVerificationException(SignatureFailure.MALFORMED_SECRET, "secret #" + i + " is blank");
            }
        }
        if (signatures.isEmpty()) {
            throw new SignatureVerificationException(SignatureFailure.NO_MATCH, "no " + SCHEME + " signature in "
                    + HEADER + (otherSchemes.isEmpty() ? "" : " (ignored schemes: " + otherSchemes + ")"));
        }
        List<byte[]> candidates = new ArrayList<>(signatures.size());
        for (String hex : signatures) {
            try {
                candidates.add(HexFormat.of().parseHex(hex));
            } catch (IllegalArgumentException e) {
                // not hex: cannot match, like a wrong value
            }
        }
        int matched = -1;
        for (int i = 0; i < secrets.size() && matched < 0; i++) {
            byte[] expected = mac(secrets.get(i), t, rawBody);
            for (byte[] candidate : candidates) {
                if (MessageDigest.isEqual(expected, candidate)) {
                    matched = i;
                    break;
                }
            }
        }
        if (matched < 0) {
            throw new SignatureVerificationException(SignatureFailure.NO_MATCH, signatures.size() + " " + SCHEME
                    + " signature(s) checked against " + secrets.size() + " secret(s), none matched");
        }
        Duration age = Duration.between(timestamp, now);
        if (age.compareTo(tolerance) > 0) {
            throw new SignatureVerificationException(SignatureFailure.TIMESTAMP_TOO_OLD,
                    "timestamp is " + age.getSeconds() + " s old, tolerance " + tolerance.getSeconds() + " s");
        }
        if (age.negated().compareTo(futureTolerance) > 0) {
            throw new SignatureVerificationException(SignatureFailure.TIMESTAMP_TOO_NEW, "timestamp is "
                    + age.negated().getSeconds() + " s in the future, tolerance " + futureTolerance.getSeconds() + " s");
        }
        return new Verified(timestamp, matched);
    }

    private static byte[] mac(String secret, String t, byte[] body) {
        return Hmac.sha256(secret.getBytes(StandardCharsets.UTF_8), t.getBytes(StandardCharsets.UTF_8), DOT, body);
    }

    private static Duration requireNonNegative(Duration d, String name) {
        Objects.requireNonNull(d, name);
        if (d.isNegative()) {
            throw new IllegalArgumentException(name + " must not be negative");
        }
        return d;
    }
}
