package io.fulfillmenthub.security.signing;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * Signing and verification for Standard Webhooks v1.0.0 (standardwebhooks.com).
 *
 * <ul>
 *   <li>Headers {@code webhook-id}, {@code webhook-timestamp} (unix seconds) and {@code webhook-signature}
 *       (space-separated {@code v1,<base64>} entries; other versions are ignored).</li>
 *   <li>Signed bytes: {@code <webhook-id>.<webhook-timestamp>.<raw body>}, HMAC-SHA256, standard base64.</li>
 *   <li>Key: the base64-decoded secret; the {@code whsec_} prefix is optional on input.</li>
 * </ul>
 *
 * <p>Verification order: required headers, timestamp syntax, secrets, signature, then the time window. Checking
 * the window after the signature means {@code TIMESTAMP_TOO_OLD/NEW} is only reported for authentic messages,
 * which tells an operator "replay or clock skew" rather than "forgery". Instances are immutable and thread-safe.
 */
public final class StandardWebhooks {
    public static final String HEADER_ID = "webhook-id";
    public static final String HEADER_TIMESTAMP = "webhook-timestamp";
    public static final String HEADER_SIGNATURE = "webhook-signature";
    public static final String SECRET_PREFIX = "whsec_";
    public static final String VERSION = "v1";
    public static final Duration DEFAULT_TOLERANCE = Duration.ofSeconds(300);
    /** Bytes of randomness in {@link #generateSecret()}; the standard asks for at least 24. */
    public static final int SECRET_BYTES = 32;

    private static final Pattern TIMESTAMP = Pattern.compile("\\d{1,12}");
    private static final Pattern WHITESPACE = Pattern.compile("\\s+");
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final byte[] DOT = {'.'};

    private final Duration tolerance;

    /** A verifier with the standard 300 s tolerance in both directions. */
    public StandardWebhooks() {
        this(DEFAULT_TOLERANCE);
    }

    /** A verifier accepting timestamps within {@code tolerance} of now, in the past or the future. */
    public StandardWebhooks(Duration tolerance) {
        Objects.requireNonNull(tolerance, "tolerance");
        if (tolerance.isNegative()) {
            throw new IllegalArgumentException("tolerance must not be negative");
        }
        this.tolerance = tolerance;
    }

    /** The outcome of a successful verification. */
    public record Verified(String messageId, Instant timestamp, int secretIndex) {
    }

    /**
     * Signs a message.
     *
     * @param secret           {@code whsec_<base64>} (prefix optional)
     * @param msgId            the {@code webhook-id} value
     * @param timestampSeconds the {@code webhook-timestamp} value
     * @param body             the exact bytes that will be sent
     * @return {@code v1,<base64>}, the value of one {@code webhook-signature} entry
     * @throws IllegalArgumentException if the secret is malformed or the id blank
     */
    public static String sign(String secret, String msgId, long timestampSeconds, byte[] body) {
        if (msgId == null || msgId.isBlank()) {
            throw new IllegalArgumentException("msgId must not be blank");
        }
        if (timestampSeconds < 0) {
            throw new IllegalArgumentException("timestampSeconds must not be negative");
        }
        byte[] key = decodeSecret(secret);
        if (key == null) {
            throw new IllegalArgumentException("secret is not whsec_<base64> or base64");
        }
        byte[] mac = mac(key, msgId, Long.toString(timestampSeconds), Objects.requireNonNull(body, "body"));
        return VERSION + "," + Base64.getEncoder().encodeToString(mac);
    }

    /** The three headers to send with {@code body}: id, timestamp and a single v1 signature. */
    public static Map<String, String> headers(String secret, String msgId, long timestampSeconds, byte[] body) {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put(HEADER_ID, msgId);
        headers.put(HEADER_TIMESTAMP, Long.toString(timestampSeconds));
        headers.put(HEADER_SIGNATURE, sign(secret, msgId, timestampSeconds, body));
        return headers;
    }

    /** A fresh endpoint secret: {@code whsec_} + base64 of 32 random bytes. */
    public static String generateSecret() {
        byte[] bytes = new byte[SECRET_BYTES];
        RANDOM.nextBytes(bytes);
        return SECRET_PREFIX + Base64.getEncoder().encodeToString(bytes);
    }

    /** True when {@code secret} can be used (useful to validate configuration at startup). */
    public static boolean isValidSecret(String secret) {
        return decodeSecret(secret) != null;
    }

    /**
     * Verifies a delivery, looking headers up in a map by case-insensitive name. Values may be strings or
     * collections (several header lines): repeated {@code webhook-signature} lines are merged, repeated id or
     * timestamp lines must agree.
     */
    public Verified verify(Map<String, ?> headers, byte[] rawBody, List<String> secrets, Instant now)
            throws SignatureVerificationException {
        Objects.requireNonNull(headers, "headers");
        return verify(
                headerValue(headers, HEADER_ID, false),
                headerValue(headers, HEADER_TIMESTAMP, false),
                headerValue(headers, HEADER_SIGNATURE, true),
                rawBody, secrets, now);
    }

    /**
     * Verifies a delivery using a header lookup function (for example {@code name -> message.getHeader(name,
     * String.class)} in Camel, whose headers are already case-insensitive).
     */
    public Verified verify(Function<String, String> headerLookup, byte[] rawBody, List<String> secrets, Instant now)
            throws SignatureVerificationException {
        Objects.requireNonNull(headerLookup, "headerLookup");
        return verify(headerLookup.apply(HEADER_ID), headerLookup.apply(HEADER_TIMESTAMP),
                headerLookup.apply(HEADER_SIGNATURE), rawBody, secrets, now);
    }

    /**
     * Verifies a delivery given the three header values.
     *
     * @param secrets accepted secrets (rotation: any may match); {@code whsec_} prefix optional
     * @param now     the receiver's clock
     * @return the message id, its timestamp and the index of the secret that matched
     * @throws SignatureVerificationException with the precise {@link SignatureFailure}
     */
    public Verified verify(String webhookId, String webhookTimestamp, String webhookSignature, byte[] rawBody,
            List<String> secrets, Instant now) throws SignatureVerificationException {
        Objects.requireNonNull(rawBody, "rawBody");
        Objects.requireNonNull(now, "now");
        String id = trimToNull(webhookId);
        String ts = trimToNull(webhookTimestamp);
        String sig = trimToNull(webhookSignature);
        List<String> missing = new ArrayList<>();
        if (id == null) {
            missing.add(HEADER_ID);
        }
        if (ts == null) {
            missing.add(HEADER_TIMESTAMP);
        }
        if (sig == null) {
            missing.add(HEADER_SIGNATURE);
        }
        if (!missing.isEmpty()) {
            throw new SignatureVerificationException(SignatureFailure.MISSING_HEADERS, "missing " + missing);
        }
        if (!TIMESTAMP.matcher(ts).matches()) {
            throw new SignatureVerificationException(SignatureFailure.BAD_TIMESTAMP,
                    HEADER_TIMESTAMP + " is not integer unix seconds");
        }
        Instant timestamp = Instant.ofEpochSecond(Long.parseLong(ts));

        List<byte[]> keys = decodeSecrets(secrets);

        List<byte[]> candidates = new ArrayList<>();
        Set<String> otherVersions = new TreeSet<>();
        int undecodable = 0;
        for (String entry : WHITESPACE.split(sig)) {
            int comma = entry.indexOf(',');
            String version = comma < 0 ? entry : entry.substring(0, comma);
            if (!VERSION.equals(version) || comma < 0) {
                otherVersions.add(version);
                continue;
            }
            try {
                candidates.add(Base64.getDecoder().decode(entry.substring(comma + 1)));
            } catch (IllegalArgumentException e) {
                undecodable++;
            }
        }
        if (candidates.isEmpty()) {
            throw new SignatureVerificationException(SignatureFailure.NO_MATCH,
                    "no usable v1 signature in " + HEADER_SIGNATURE
                            + (undecodable > 0 ? " (" + undecodable + " not base64)" : "")
                            + (otherVersions.isEmpty() ? "" : " (other versions ignored: " + otherVersions + ")"));
        }

        byte[] idBytes = id.getBytes(StandardCharsets.UTF_8);
        byte[] tsBytes = ts.getBytes(StandardCharsets.UTF_8);
        int matched = -1;
        for (int i = 0; i < keys.size() && matched < 0; i++) {
            byte[] expected = Hmac.sha256(keys.get(i), idBytes, DOT, tsBytes, DOT, rawBody);
            for (byte[] candidate : candidates) {
                if (MessageDigest.isEqual(expected, candidate)) {
                    matched = i;
                    break;
                }
            }
        }
        if (matched < 0) {
            throw new SignatureVerificationException(SignatureFailure.NO_MATCH,
                    candidates.size() + " v1 signature(s) checked against " + keys.size() + " secret(s), none matched");
        }

        Duration age = Duration.between(timestamp, now);
        if (age.compareTo(tolerance) > 0) {
            throw new SignatureVerificationException(SignatureFailure.TIMESTAMP_TOO_OLD,
                    "timestamp is " + age.getSeconds() + " s old, tolerance " + tolerance.getSeconds() + " s");
        }
        if (age.negated().compareTo(tolerance) > 0) {
            throw new SignatureVerificationException(SignatureFailure.TIMESTAMP_TOO_NEW,
                    "timestamp is " + age.negated().getSeconds() + " s in the future, tolerance "
                            + tolerance.getSeconds() + " s");
        }
        return new Verified(id, timestamp, matched);
    }

    private static byte[] mac(byte[] key, String id, String ts, byte[] body) {
        return Hmac.sha256(key, id.getBytes(StandardCharsets.UTF_8), DOT, ts.getBytes(StandardCharsets.UTF_8), DOT,
                body);
    }

    private static List<byte[]> decodeSecrets(List<String> secrets) throws SignatureVerificationException {
        if (secrets == null || secrets.isEmpty()) {
            throw new SignatureVerificationException(SignatureFailure.MALFORMED_SECRET, "no secret configured");
        }
        List<byte[]> keys = new ArrayList<>(secrets.size());
        for (int i = 0; i < secrets.size(); i++) {
            byte[] key = decodeSecret(secrets.get(i));
            if (key == null) {
                throw new SignatureVerificationException(SignatureFailure.MALFORMED_SECRET,
                        "secret #" + i + " is not whsec_<base64> or base64");
            }
            keys.add(key);
        }
        return keys;
    }

    /** The HMAC key for a secret, or null when it is blank or not base64. */
    static byte[] decodeSecret(String secret) {
        if (secret == null) {
            return null;
        }
        String s = secret.strip();
        if (s.startsWith(SECRET_PREFIX)) {
            s = s.substring(SECRET_PREFIX.length());
        }
        if (s.isEmpty()) {
            return null;
        }
        try {
            byte[] key = Base64.getDecoder().decode(s);
            return key.length == 0 ? null : key;
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static String headerValue(Map<String, ?> headers, String name, boolean mergeList)
            throws SignatureVerificationException {
        Set<String> values = new LinkedHashSet<>();
        for (Map.Entry<String, ?> e : headers.entrySet()) {
            if (e.getKey() != null && e.getKey().toLowerCase(Locale.ROOT).equals(name)) {
                collect(e.getValue(), values);
            }
        }
        if (values.isEmpty()) {
            return null;
        }
        if (values.size() == 1 || mergeList) {
            return String.join(" ", values);
        }
        throw new SignatureVerificationException(SignatureFailure.MALFORMED_HEADER,
                name + " given " + values.size() + " times with different values");
    }

    private static void collect(Object value, Set<String> into) {
        if (value == null) {
            return;
        }
        if (value instanceof Collection<?> c) {
            for (Object o : c) {
                collect(o, into);
            }
        } else if (value instanceof Object[] a) {
            for (Object o : a) {
                collect(o, into);
            }
        } else {
            String s = value.toString().strip();
            if (!s.isEmpty()) {
                into.add(s);
            }
        }
    }

    private static String trimToNull(String s) {
        if (s == null) {
            return null;
        }
        String t = s.strip();
        return t.isEmpty() ? null : t;
    }
}
