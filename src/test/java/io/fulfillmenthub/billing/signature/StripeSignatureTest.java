package io.fulfillmenthub.billing.signature;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fulfillmenthub.security.signing.SignatureFailure;
import io.fulfillmenthub.security.signing.SignatureVerificationException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class StripeSignatureTest {
    static final String SECRET = "whsec_test_secret";
    static final long T = 1_700_000_000L;
    static final Instant NOW = Instant.ofEpochSecond(T);
    static final byte[] BODY = "{\"id\":\"evt_test\",\"object\":\"event\"}".getBytes(StandardCharsets.UTF_8);
    // Computed independently: HMAC-SHA256(key="whsec_test_secret", "1700000000." + BODY), lowercase hex.
    static final String KNOWN_HEX = "8042376f6ca064adbe037642a718227dfd59047137eb49497a54c49eb0cfb724";

    final StripeSignature stripe = new StripeSignature();

    SignatureFailure failure(String header, byte[] body, List<String> secrets, Instant now) {
        return assertThrows(SignatureVerificationException.class, () -> stripe.verify(header, body, secrets, now))
                .reason();
    }

    @Test
    void signMatchesIndependentComputation() {
        assertEquals(KNOWN_HEX, StripeSignature.sign(SECRET, T, BODY));
        assertEquals("t=1700000000,v1=" + KNOWN_HEX, StripeSignature.header(SECRET, T, BODY));
    }

    @Test
    void verifiesTestHeader() throws Exception {
        StripeSignature.Verified ok = stripe.verify(StripeSignature.header(SECRET, T, BODY), BODY, List.of(SECRET), NOW);
        assertEquals(NOW, ok.timestamp());
        assertEquals(0, ok.secretIndex());
    }

    @Test
    void keyIsTheWholeSecretIncludingPrefix() {
        String withoutPrefixKey = StripeSignature.sign("test_secret", T, BODY);
        assertTrue(!withoutPrefixKey.equals(KNOWN_HEX));
        assertEquals(SignatureFailure.NO_MATCH,
                failure("t=" + T + ",v1=" + KNOWN_HEX, BODY, List.of("test_secret"), NOW));
    }

    @Test
    void severalV1OneValid() throws Exception {
        String header = "t=" + T + ",v1=" + "0".repeat(64) + ",v0=" + KNOWN_HEX + ",v1=nothex,v1=" + KNOWN_HEX;
        assertEquals(0, stripe.verify(header, BODY, List.of(SECRET), NOW).secretIndex());
    }

    @Test
    void toleratesSpacesAndUnknownItems() throws Exception {
        String header = " t=" + T + " , foo , x=y=z , v1=" + KNOWN_HEX + " ";
        stripe.verify(header, BODY, List.of(SECRET), NOW);
    }

    @Test
    void v0OnlyFails() {
        String v0 = "t=" + T + ",v0=" + KNOWN_HEX;
        SignatureVerificationException e = assertThrows(SignatureVerificationException.class,
                () -> stripe.verify(v0, BODY, List.of(SECRET), NOW));
        assertEquals(SignatureFailure.NO_MATCH, e.reason());
        assertTrue(e.getMessage().contains("v0"), e.getMessage());
    }

    @Test
    void tamperedBodyFails() {
        byte[] tampered = "{\"id\":\"evt_test\",\"object\":\"event\" }".getBytes(StandardCharsets.UTF_8);
        assertEquals(SignatureFailure.NO_MATCH,
                failure(StripeSignature.header(SECRET, T, BODY), tampered, List.of(SECRET), NOW));
    }

    @Test
    void tamperedTimestampFails() {
        assertEquals(SignatureFailure.NO_MATCH, failure("t=" + (T + 1) + ",v1=" + KNOWN_HEX, BODY, List.of(SECRET), NOW));
    }

    @Test
    void wrongSecretFailsRotationMatches() throws Exception {
        assertEquals(SignatureFailure.NO_MATCH,
                failure(StripeSignature.header(SECRET, T, BODY), BODY, List.of("whsec_other"), NOW));
        assertEquals(1, stripe.verify(StripeSignature.header(SECRET, T, BODY), BODY,
                List.of("whsec_other", SECRET), NOW).secretIndex());
    }

    @Test
    void staleTimestampFails() throws Exception {
        String header = StripeSignature.header(SECRET, T, BODY);
        stripe.verify(header, BODY, List.of(SECRET), NOW.plusSeconds(300));
        assertEquals(SignatureFailure.TIMESTAMP_TOO_OLD, failure(header, BODY, List.of(SECRET), NOW.plusSeconds(301)));
    }

    @Test
    void farFutureTimestampFails() throws Exception {
        String header = StripeSignature.header(SECRET, T, BODY);
        stripe.verify(header, BODY, List.of(SECRET), NOW.minusSeconds(300));
        assertEquals(SignatureFailure.TIMESTAMP_TOO_NEW, failure(header, BODY, List.of(SECRET), NOW.minusSeconds(301)));
        // A wider future window can be configured.
        new StripeSignature(Duration.ofSeconds(300), Duration.ofHours(1))
                .verify(header, BODY, List.of(SECRET), NOW.minusSeconds(3000));
    }

    @Test
    void malformedHeaders() {
        assertEquals(SignatureFailure.MISSING_HEADERS, failure(null, BODY, List.of(SECRET), NOW));
        assertEquals(SignatureFailure.MISSING_HEADERS, failure(" ", BODY, List.of(SECRET), NOW));
        assertEquals(SignatureFailure.MALFORMED_HEADER, failure("garbage", BODY, List.of(SECRET), NOW));
        assertEquals(SignatureFailure.MALFORMED_HEADER, failure("v1=" + KNOWN_HEX, BODY, List.of(SECRET), NOW));
        assertEquals(SignatureFailure.BAD_TIMESTAMP, failure("t=abc,v1=" + KNOWN_HEX, BODY, List.of(SECRET), NOW));
        assertEquals(SignatureFailure.BAD_TIMESTAMP, failure("t=-1,v1=" + KNOWN_HEX, BODY, List.of(SECRET), NOW));
        assertEquals(SignatureFailure.BAD_TIMESTAMP,
                failure("t=999999999999999999,v1=" + KNOWN_HEX, BODY, List.of(SECRET), NOW));
        assertEquals(SignatureFailure.NO_MATCH, failure("t=" + T, BODY, List.of(SECRET), NOW));
        assertEquals(SignatureFailure.NO_MATCH, failure("t=" + T + ",v1=", BODY, List.of(SECRET), NOW));
    }

    @Test
    void malformedSecrets() {
        String header = StripeSignature.header(SECRET, T, BODY);
        assertEquals(SignatureFailure.MALFORMED_SECRET, failure(header, BODY, List.of(), NOW));
        assertEquals(SignatureFailure.MALFORMED_SECRET, failure(header, BODY, List.of(" "), NOW));
        assertEquals(SignatureFailure.MALFORMED_SECRET, failure(header, BODY, null, NOW));
    }
}
