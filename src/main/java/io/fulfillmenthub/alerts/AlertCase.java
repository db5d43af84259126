package io.fulfillmenthub.alerts;

import io.fulfillmenthub.store.WorkQueue;

/**
 * What the {@code alert-policy} route carries: the claimed dedupe key and the alert (episode) the pass acts on. The
 * route's choices read {@code ${body.firing}}, {@code ${body.resolved}}, {@code ${body.severity}},
 * {@code ${body.hostKnown}}.
 */
public class AlertCase {

    final WorkQueue.Item item;
    Alert alert;

    AlertCase(WorkQueue.Item item) {
        this.item = item;
    }

    public String getDedupeKey() {
        return item.key();
    }

    public Alert getAlert() {
        return alert;
    }

    public boolean isFiring() {
        return alert != null && Alert.FIRING.equals(alert.status);
    }

    public boolean isResolved() {
        return alert != null && Alert.RESOLVED.equals(alert.status);
    }

    /** CRITICAL, WARNING or INFO; empty when there is no alert. */
    public String getSeverity() {
        return alert == null ? "" : alert.severity;
    }

    public boolean isCritical() {
        return alert != null && alert.isCritical();
    }

    /** True when the alert named a host of the inventory. */
    public boolean isHostKnown() {
        return alert != null && alert.host.id != null;
    }

    @Override
    public String toString() {
        return alert == null ? item.key() : alert.id + " (" + alert.severity + " " + alert.status + " " + alert.hostLabel() + ")";
    }
}
