package io.fulfillmenthub.clusters;

/** The life of a cluster, as the contract names it. */
public enum ClusterState {
    PROGRESSING, READY, FAILED, DELETING, DELETED;

    public boolean isTerminating() {
        return this == DELETING || this == DELETED;
    }
}
