package io.fulfillmenthub.security.signing;

import java.security.GeneralSecurityException;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/** HMAC-SHA256 helper shared by the webhook verifiers. */
public final class Hmac {
    private static final String ALGORITHM = "HmacSHA256";
    /**
     * One Mac per thread, initialised anew with each call's key: looking the algorithm up in the security providers
     * ({@code Mac.getInstance}) on every signature cost more than the HMAC of a webhook body.
     */
    private static final ThreadLocal<Mac> MACS = ThreadLocal.withInitial(() -> {
        try {
            return Mac.getInstance(ALGORITHM);
        } catch (GeneralSecurityException e) {
            // HmacSHA256 is mandatory in every Java platform implementation.
            throw new IllegalStateException("HmacSHA256 unavailable", e);
        }
    });

    private Hmac() {
    }

    /** HMAC-SHA256 of the concatenation of {@code parts} under {@code key}. */
    public static byte[] sha256(byte[] key, byte[]... parts) {
        if (key == null || key.length == 0) {
            throw new IllegalArgumentException("HMAC key must not be empty");
        }
        try {
            Mac mac = MACS.get();
            mac.init(new SecretKeySpec(key, ALGORITHM));
            for (byte[] part : parts) {
                mac.update(part);
            }
            return mac.doFinal();
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("HMAC key refused", e);
        }
    }
}
