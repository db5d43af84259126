package io.fulfillmenthub.events.webhooks;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Standard Webhooks (v1) signing for outgoing deliveries: {@code v1,<base64 HMAC-SHA256 of id.timestamp.body>} with
 * the key = base64-decoded text after {@code whsec_}. A small private helper of the events capability; a shared
 * signer/verifier ({@code security.signing.StandardWebhooks}) is being written on another branch and can replace it.
 */
public final class WebhookSigner {

    public static final String PREFIX = "whsec_";
    private static final SecureRandom RANDOM = new SecureRandom();

    private WebhookSigner() {
    }

    /** A new endpoint secret: {@code whsec_} + base64 of 32 random bytes. */
    public static String newSecret() {
        byte[] key = new byte[32];
        RANDOM.nextBytes(key);
        return PREFIX + Base64.getEncoder().encodeToString(key);
    }

    /** The {@code webhook-signature} header value for one attempt. */
    public static String sign(String secret, String msgId, long timestamp, byte[] body) {
        if (secret == null || !secret.startsWith(PREFIX)) {
            throw new IllegalArgumentException("a Standard Webhooks secret starts with " + PREFIX);
        }
        byte[] key = Base64.getDecoder().decode(secret.substring(PREFIX.length()));
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            mac.update((msgId + "." + timestamp + ".").getBytes(StandardCharsets.UTF_8));
            mac.update(body);
            return "v1," + Base64.getEncoder().encodeToString(mac.doFinal());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
