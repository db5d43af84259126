package io.fulfillmenthub.embedded;

import java.time.Duration;

import io.fabric8.kubernetes.client.KubernetesClient;

/** Test access to the package-private parts of the embedded hub. */
public final class LocalHubAccess {
    private LocalHubAccess() {
    }

    public static LocalHub start() {
        return LocalHub.start(0);
    }

    /** The embedded API server of a running hub, to answer some requests with faults before its CRUD store does. */
    public static io.fabric8.kubernetes.client.server.mock.KubernetesMockServer server(EmbeddedMode embedded) {
        return embedded.localHub().server();
    }

    public static HyperShiftSimulator simulator(KubernetesClient client) {
        return new HyperShiftSimulator(client, "hardware-inventory", Duration.ZERO, Duration.ZERO, Duration.ofSeconds(1),
                Duration.ofSeconds(1));
    }
}
