package io.fulfillmenthub.ops;

import io.fulfillmenthub.provisioning.ManagementHub;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/**
 * Ready only once the management hub is connected (the embedded one started, its CRDs and demo inventory in place)
 * and the hosts table was synced from it once: the API answers before that, and what needs the hub waits for it.
 */
@Readiness
@ApplicationScoped
public class HubReadinessCheck implements HealthCheck {

    @Inject
    ManagementHub hub;

    @Override
    public HealthCheckResponse call() {
        boolean connected = hub.isConnected();
        boolean synced = hub.inventorySynced();
        var b = HealthCheckResponse.named("management-hub").status(connected && synced)
                .withData("embedded", hub.isLocal())
                .withData("state", connected ? (synced ? "connected" : "reading the inventory") : "starting");
        String failure = hub.failure();
        if (failure != null) {
            b.withData("error", failure);
        }
        return b.build();
    }
}
