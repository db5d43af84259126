package io.fulfillmenthub.events.webhooks;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;

import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

import io.fulfillmenthub.events.EventSettings;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Encrypts subscription secrets at rest with AES-256-GCM; the subscription id is the associated data, so a secret
 * cannot be moved to another row. The key is {@code HUB_EVENTS_SECRET_KEY} (base64, 32 bytes; required when several
 * replicas share the database), otherwise a key file made once under the data directory.
 */
@ApplicationScoped
public class SecretBox {

    private static final Logger LOG = Logger.getLogger(SecretBox.class);
    private static final String VERSION = "v1:";
    private static final SecureRandom RANDOM = new SecureRandom();

    @Inject
    EventSettings settings;
    @ConfigProperty(name = "hub.data-dir", defaultValue = "data")
    Path dataDir;

    private SecretKeySpec key;

    @PostConstruct
    void init() {
        byte[] raw = settings.secretKey().map(k -> Base64.getDecoder().decode(k.trim())).orElseGet(this::keyFile);
        if (raw.length != 32) {
            throw new IllegalArgumentException("hub.events.secret-key must be the base64 of 32 bytes");
        }
        key = new SecretKeySpec(raw, "AES");
    }

    private byte[] keyFile() {
        Path file = dataDir.resolve("events").resolve("secret.key");
        try {
            if (Files.exists(file)) {
                return Base64.getDecoder().decode(Files.readString(file).trim());
            }
            Files.createDirectories(file.getParent());
            byte[] k = new byte[32];
            RANDOM.nextBytes(k);
            Path tmp = file.resolveSibling("secret.key.tmp");
            Files.writeString(tmp, Base64.getEncoder().encodeToString(k));
            try {
                Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
            } catch (UnsupportedOperationException ignored) {
                // not a POSIX file system
            }
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
            LOG.infof("Webhook secrets encrypted with a key made in %s; set HUB_EVENTS_SECRET_KEY when replicas share the database",
                    file.toAbsolutePath());
            return k;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public String seal(String subscriptionId, String secret) {
        try {
            byte[] iv = new byte[12];
            RANDOM.nextBytes(iv);
            Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
            c.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(128, iv));
            c.updateAAD(subscriptionId.getBytes(StandardCharsets.UTF_8));
            byte[] ct = c.doFinal(secret.getBytes(StandardCharsets.UTF_8));
            byte[] out = new byte[iv.length + ct.length];
            System.arraycopy(iv, 0, out, 0, iv.length);
            System.arraycopy(ct, 0, out, iv.length, ct.length);
            return VERSION + Base64.getEncoder().encodeToString(out);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    public String open(String subscriptionId, String sealed) {
        if (sealed == null || !sealed.startsWith(VERSION)) {
            throw new IllegalStateException("subscription " + subscriptionId + " has no readable secret");
        }
        try {
            byte[] in = Base64.getDecoder().decode(sealed.substring(VERSION.length()));
            Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
            c.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(128, in, 0, 12));
            c.updateAAD(subscriptionId.getBytes(StandardCharsets.UTF_8));
            return new String(c.doFinal(in, 12, in.length - 12), StandardCharsets.UTF_8);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("subscription " + subscriptionId
                    + ": secret cannot be decrypted (was HUB_EVENTS_SECRET_KEY changed?)");
        }
    }
}
