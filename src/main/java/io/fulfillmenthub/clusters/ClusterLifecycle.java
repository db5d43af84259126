package io.fulfillmenthub.clusters;

import java.time.Instant;

/** The transitions of the cluster state machine, shared by the API, billing and the reconcile. */
public final class ClusterLifecycle {

    private ClusterLifecycle() {
    }

    public static void markDeleting(Cluster k, String reason, String message, Instant now) {
        k.status.state = ClusterState.DELETING;
        k.metadata.deletionTimestamp = now;
        k.status.setCondition("Ready", false, reason, message, now);
    }

    public static void markDeleted(Cluster k, Instant now) {
        k.status.state = ClusterState.DELETED;
        k.status.apiUrl = null;
        k.status.consoleUrl = null;
        k.status.nodeSets.values().forEach(ns -> ns.ready = 0);
        // the Ready condition keeps why the cluster went (DeletionRequested, LeaseExpired, billing's cancellation...)
        Condition ready = k.status.condition("Ready");
        String why = ready == null || ready.reason == null ? "Deleted" : ready.reason;
        k.status.setCondition("Ready", false, why, "the cluster was deleted and its hosts released", now);
        k.status.setCondition("HostsReserved", false, "Released", "hosts returned to the inventory", now);
        k.status.setCondition("ControlPlaneAvailable", false, "Deleted", null, now);
        k.status.setCondition("WorkersReady", false, "Deleted", null, now);
    }

    public static void markReady(Cluster k, Instant now) {
        k.status.state = ClusterState.READY;
        k.status.reason = null;
        k.status.setCondition("Ready", true, "AsExpected", "the cluster is ready", now);
        k.status.setCondition("Failed", false, "AsExpected", null, now);
    }

    public static void markFailed(Cluster k, String reason, String message, Instant now) {
        k.status.state = ClusterState.FAILED;
        k.status.reason = reason;
        k.status.setCondition("Failed", true, reason, message, now);
        k.status.setCondition("Ready", false, reason, message, now);
    }
}
