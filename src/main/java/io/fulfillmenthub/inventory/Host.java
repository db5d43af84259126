package io.fulfillmenthub.inventory;

import java.time.Instant;

/** A host of the inventory, as the provider API shows it: what the admin asked (spec) and what is (status). */
public class Host {
    public String id;
    public Spec spec = new Spec();
    public Status status = new Status();

    public static class Spec {
        /** the admin's wish: AVAILABLE, OFFLINE or MAINTENANCE */
        public HostState state;
        public String reason;
    }

    public static class Status {
        public HostState state;
        public String hostClass;
        public String clusterId;
        public String nodeSet;
        public String hostname;
        public String bmcAddress;
        public String bareMetalHost;
        public long openAlerts;
        public Instant updatedAt;
    }

    public String hostClass() {
        return status.hostClass;
    }

    public HostState state() {
        return status.state;
    }

    public String clusterId() {
        return status.clusterId;
    }
}
