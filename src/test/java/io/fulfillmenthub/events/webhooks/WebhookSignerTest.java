package io.fulfillmenthub.events.webhooks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

import org.junit.jupiter.api.Test;

/** The outgoing signer against the published Standard Webhooks test vector. */
class WebhookSignerTest {

    static final String SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

    @Test
    void signsThePublishedTestVector() {
        assertEquals("v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=", WebhookSigner.sign(SECRET,
                "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330L, "{\"test\": 2432232314}".getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void anyChangeChangesTheSignature() {
        byte[] body = "{\"test\": 2432232314}".getBytes(StandardCharsets.UTF_8);
        String good = WebhookSigner.sign(SECRET, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330L, body);
        assertNotEquals(good, WebhookSigner.sign(SECRET, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265331L, body));
        assertNotEquals(good, WebhookSigner.sign(SECRET, "msg_other", 1614265330L, body));
        assertNotEquals(good, WebhookSigner.sign(SECRET, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330L,
                "{\"test\":2432232314}".getBytes(StandardCharsets.UTF_8)));
        assertThrows(IllegalArgumentException.class, () -> WebhookSigner.sign("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "x", 1, body));
    }

    @Test
    void newSecretsAreWhsecWith32RandomBytes() {
        String a = WebhookSigner.newSecret();
        assertTrue(a.startsWith("whsec_"));
        assertEquals(32, Base64.getDecoder().decode(a.substring(6)).length);
        assertNotEquals(a, WebhookSigner.newSecret());
    }
}
