package io.fulfillmenthub.security.signing;

import io.fulfillmenthub.testsupport.Samples;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class StandardWebhooksTest {
    // The published Standard Webhooks test vector.
    static final String SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    static final String MSG_ID = "msg_p5jXN8AQM9LWM0D4loKWxJek";
    static final long TS = 1614265330L;
    static final byte[] BODY = "{\"test\": 2432232314}".getBytes(StandardCharsets.UTF_8);
    static final String EXPECTED = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";
    static final Instant AT_TS = Instant.ofEpochSecond(TS);

    final StandardWebhooks webhooks = new StandardWebhooks();

    static Map<String, String> headers(String id, String ts, String sig) {
        Map<String, String> h = new HashMap<>();
        if (id != null) {
            h.put("webhook-id", id);
        }
        if (ts != null) {
            h.put("webhook-timestamp", ts);
        }
        if (sig != null) {
            h.put("webhook-signature", sig);
        }
        return h;
    }

    static SignatureFailure failure(ThrowingCall call) {
        return assertThrows(SignatureVerificationException.class, call::run).reason();
    }

    interface ThrowingCall {
        void run() throws Exception;
    }

    @Test
    void signsThePublishedVector() {
        assertEquals(EXPECTED, StandardWebhooks.sign(SECRET, MSG_ID, TS, BODY));
    }

    @Test
    void signsWithoutPrefix() {
        assertEquals(EXPECTED, StandardWebhooks.sign("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", MSG_ID, TS, BODY));
    }

    @Test
    void sampleVectorFileAgrees() throws Exception {
        Map<String, String> v = new HashMap<>();
        for (String line : Files.readAllLines(Samples.file("standard-webhooks/test-vector.txt"))) {
            String[] kv = line.strip().split("\\s+", 2);
            if (kv.length == 2) {
                v.put(kv[0], kv[1]);
            }
        }
        byte[] body = v.get("body").getBytes(StandardCharsets.UTF_8);
        long ts = Long.parseLong(v.get("timestamp"));
        assertEquals(v.get("signature"), StandardWebhooks.sign(v.get("secret"), v.get("webhook-id"), ts, body));
        StandardWebhooks.Verified ok = webhooks.verify(
                headers(v.get("webhook-id"), v.get("timestamp"), v.get("signature")), body,
                List.of(v.get("secret")), Instant.ofEpochSecond(ts));
        assertEquals(v.get("webhook-id"), ok.messageId());
    }

    @Test
    void verifiesThePublishedVector() throws Exception {
        StandardWebhooks.Verified ok = webhooks.verify(headers(MSG_ID, "1614265330", EXPECTED), BODY,
                List.of(SECRET), AT_TS.plusSeconds(10));
        assertEquals(MSG_ID, ok.messageId());
        assertEquals(AT_TS, ok.timestamp());
        assertEquals(0, ok.secretIndex());
    }

    @Test
    void headerNamesAreCaseInsensitive() throws Exception {
        Map<String, Object> h = new LinkedHashMap<>();
        h.put("Webhook-Id", MSG_ID);
        h.put("WEBHOOK-TIMESTAMP", List.of("1614265330"));
        h.put("Webhook-Signature", EXPECTED);
        assertEquals(MSG_ID, webhooks.verify(h, BODY, List.of(SECRET), AT_TS).messageId());
    }

    @Test
    void lookupFunctionVariant() throws Exception {
        Map<String, String> h = headers(MSG_ID, "1614265330", EXPECTED);
        assertEquals(0, webhooks.verify(h::get, BODY, List.of(SECRET), AT_TS).secretIndex());
    }

    @Test
    void tamperedBodyFails() {
        byte[] tampered = "{\"test\": 2432232315}".getBytes(StandardCharsets.UTF_8);
        assertEquals(SignatureFailure.NO_MATCH,
                failure(() -> webhooks.verify(headers(MSG_ID, "1614265330", EXPECTED), tampered, List.of(SECRET), AT_TS)));
    }

    @Test
    void reserialisedBodyFails() {
        byte[] compact = "{\"test\":2432232314}".getBytes(StandardCharsets.UTF_8);
        assertEquals(SignatureFailure.NO_MATCH,
                failure(() -> webhooks.verify(headers(MSG_ID, "1614265330", EXPECTED), compact, List.of(SECRET), AT_TS)));
    }

    @Test
    void tamperedIdOrTimestampFails() {
        assertEquals(SignatureFailure.NO_MATCH,
                failure(() -> webhooks.verify(headers("msg_other", "1614265330", EXPECTED), BODY, List.of(SECRET), AT_TS)));
        assertEquals(SignatureFailure.NO_MATCH,
                failure(() -> webhooks.verify(headers(MSG_ID, "1614265331", EXPECTED), BODY, List.of(SECRET), AT_TS)));
    }

    @Test
    void wrongSecretFails() {
        String other = StandardWebhooks.generateSecret();
        assertEquals(SignatureFailure.NO_MATCH,
                failure(() -> webhooks.verify(headers(MSG_ID, "1614265330", EXPECTED), BODY, List.of(other), AT_TS)));
    }

    @Test
    void multipleSignaturesOneValid() throws Exception {
        String bogus = "v1," + Base64.getEncoder().encodeToString(new byte[32]);
        String sig = "v1a,abc " + bogus + " v2,Zm9v v1,%%%notbase64 " + EXPECTED;
        assertEquals(MSG_ID, webhooks.verify(headers(MSG_ID, "1614265330", sig), BODY, List.of(SECRET), AT_TS).messageId());
    }

    @Test
    void otherVersionsOnlyFail() {
        String sig = "v1a," + EXPECTED.substring(3) + " v2," + EXPECTED.substring(3);
        SignatureVerificationException e = assertThrows(SignatureVerificationException.class,
                () -> webhooks.verify(headers(MSG_ID, "1614265330", sig), BODY, List.of(SECRET), AT_TS));
        assertEquals(SignatureFailure.NO_MATCH, e.reason());
        assertTrue(e.getMessage().contains("v1a"), e.getMessage());
    }

    @Test
    void staleAndFutureTimestamps() {
        Map<String, String> h = headers(MSG_ID, "1614265330", EXPECTED);
        assertEquals(SignatureFailure.TIMESTAMP_TOO_OLD,
                failure(() -> webhooks.verify(h, BODY, List.of(SECRET), AT_TS.plusSeconds(301))));
        assertEquals(SignatureFailure.TIMESTAMP_TOO_NEW,
                failure(() -> webhooks.verify(h, BODY, List.of(SECRET), AT_TS.minusSeconds(301))));
    }

    @Test
    void toleranceBoundaryIsInclusive() throws Exception {
        Map<String, String> h = headers(MSG_ID, "1614265330", EXPECTED);
        webhooks.verify(h, BODY, List.of(SECRET), AT_TS.plusSeconds(300));
        webhooks.verify(h, BODY, List.of(SECRET), AT_TS.minusSeconds(300));
    }

    @Test
    void customTolerance() {
        StandardWebhooks strict = new StandardWebhooks(Duration.ofSeconds(5));
        assertEquals(SignatureFailure.TIMESTAMP_TOO_OLD, failure(() -> strict.verify(
                headers(MSG_ID, "1614265330", EXPECTED), BODY, List.of(SECRET), AT_TS.plusSeconds(6))));
    }

    @Test
    void badTimestamp() {
        for (String ts : List.of("abc", "-5", "1614265330.5", "1e9", "999999999999999999")) {
            assertEquals(SignatureFailure.BAD_TIMESTAMP,
                    failure(() -> webhooks.verify(headers(MSG_ID, ts, EXPECTED), BODY, List.of(SECRET), AT_TS)), ts);
        }
    }

    @Test
    void missingHeaders() {
        assertEquals(SignatureFailure.MISSING_HEADERS,
                failure(() -> webhooks.verify(headers(null, "1614265330", EXPECTED), BODY, List.of(SECRET), AT_TS)));
        assertEquals(SignatureFailure.MISSING_HEADERS,
                failure(() -> webhooks.verify(headers(MSG_ID, null, EXPECTED), BODY, List.of(SECRET), AT_TS)));
        assertEquals(SignatureFailure.MISSING_HEADERS,
                failure(() -> webhooks.verify(headers(MSG_ID, "1614265330", "  "), BODY, List.of(SECRET), AT_TS)));
        SignatureVerificationException e = assertThrows(SignatureVerificationException.class,
                () -> webhooks.verify(Map.of(), BODY, List.of(SECRET), AT_TS));
        assertTrue(e.getMessage().contains("webhook-id") && e.getMessage().contains("webhook-signature"));
    }

    @Test
    void conflictingDuplicateHeaders() {
        Map<String, Object> h = new LinkedHashMap<>(headers(MSG_ID, "1614265330", EXPECTED));
        h.put("Webhook-Id", "msg_other");
        assertEquals(SignatureFailure.MALFORMED_HEADER,
                failure(() -> webhooks.verify(h, BODY, List.of(SECRET), AT_TS)));
    }

    @Test
    void rotationAnySecretMatches() throws Exception {
        String newSecret = StandardWebhooks.generateSecret();
        // The receiver knows the new and the old secret; the sender still signs with the old one.
        StandardWebhooks.Verified ok = webhooks.verify(headers(MSG_ID, "1614265330", EXPECTED), BODY,
                List.of(newSecret, SECRET), AT_TS);
        assertEquals(1, ok.secretIndex());
        // The sender signs with both during the overlap.
        String both = StandardWebhooks.sign(newSecret, MSG_ID, TS, BODY) + " " + EXPECTED;
        assertEquals(0, webhooks.verify(headers(MSG_ID, "1614265330", both), BODY, List.of(newSecret), AT_TS)
                .secretIndex());
    }

    @Test
    void malformedSecret() {
        Map<String, String> h = headers(MSG_ID, "1614265330", EXPECTED);
        assertEquals(SignatureFailure.MALFORMED_SECRET, failure(() -> webhooks.verify(h, BODY, List.of(), AT_TS)));
        assertEquals(SignatureFailure.MALFORMED_SECRET,
                failure(() -> webhooks.verify(h, BODY, List.of("whsec_not base64!"), AT_TS)));
        assertEquals(SignatureFailure.MALFORMED_SECRET, failure(() -> webhooks.verify(h, BODY, List.of("whsec_"), AT_TS)));
        assertTrue(SignatureFailure.MALFORMED_SECRET.isConfigurationError());
        assertThrows(IllegalArgumentException.class, () -> StandardWebhooks.sign("whsec_***", MSG_ID, TS, BODY));
    }

    @Test
    void generatedSecretsAreUsable() throws Exception {
        String secret = StandardWebhooks.generateSecret();
        assertTrue(secret.startsWith("whsec_"));
        assertEquals(32, Base64.getDecoder().decode(secret.substring(6)).length);
        assertTrue(StandardWebhooks.isValidSecret(secret));
        byte[] body = "{\"type\":\"cluster.ready\"}".getBytes(StandardCharsets.UTF_8);
        Map<String, String> h = StandardWebhooks.headers(secret, "msg_1", 1_700_000_000L, body);
        assertEquals("msg_1", webhooks.verify(h, body, List.of(secret), Instant.ofEpochSecond(1_700_000_000L)).messageId());
    }
}
