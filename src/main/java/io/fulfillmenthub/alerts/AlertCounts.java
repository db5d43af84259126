package io.fulfillmenthub.alerts;

import io.fulfillmenthub.inventory.OpenAlerts;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/** The inventory's open-alert counts: FIRING alerts per host (replaces the inventory's default of zero). */
@ApplicationScoped
public class AlertCounts implements OpenAlerts {

    @Inject
    AlertStore store;

    @Override
    public long count(String hostId) {
        return store.openFor(hostId);
    }
}
