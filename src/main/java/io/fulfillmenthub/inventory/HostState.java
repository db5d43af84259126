package io.fulfillmenthub.inventory;

/** A host's state in the hub's inventory. */
public enum HostState {
    /** free for the next order */
    AVAILABLE,
    /** reserved by a cluster */
    RESERVED,
    /** taken out of service by an admin (powered off) */
    OFFLINE,
    /** taken out for repair (detached from management) */
    MAINTENANCE;

    public boolean outOfService() {
        return this == OFFLINE || this == MAINTENANCE;
    }
}
