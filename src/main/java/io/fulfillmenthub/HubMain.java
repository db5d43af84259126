package io.fulfillmenthub;

import io.fulfillmenthub.security.IssuerKeysAhead;
import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.annotations.QuarkusMain;

/**
 * The hub's entry point when run from the jar ({@code ./hub}). It only begins the embedded issuer's key pair before
 * Quarkus boots: a first start with an empty data directory needs a 2048-bit RSA key, which takes 0.4-2 s of CPU with
 * the C1-only JVM of {@code ./hub}, and the main thread otherwise reaches the point where it needs the key (the OIDC
 * set-up) before the key is made. Started here, the key is made while Quarkus runs its static init, about half a
 * second earlier than the CDI container's start ({@link IssuerKeysAhead}, which still covers tests and dev mode, where
 * this method is not called). Everything else is Quarkus' own start.
 */
@QuarkusMain
public final class HubMain {

    private HubMain() {
    }

    public static void main(String... args) {
        IssuerKeysAhead.beginFromEnvironment();
        Quarkus.run(args);
    }
}
