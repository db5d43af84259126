package io.fulfillmenthub.events;

import java.net.InetAddress;
import java.util.UUID;

/** Who holds a lease: this process (host name + a random suffix, new at every start). */
public final class ReplicaId {

    private static final String ID = make();

    private ReplicaId() {
    }

    public static String get() {
        return ID;
    }

    private static String make() {
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (Exception e) {
            host = "hub";
        }
        if (host.length() > 60) {
            host = host.substring(0, 60);
        }
        return host + "-" + UUID.randomUUID().toString().substring(0, 8);
    }
}
