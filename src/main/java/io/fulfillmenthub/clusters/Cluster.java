package io.fulfillmenthub.clusters;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The clusters resource: {@code {id, metadata, spec, status}}; spec is what was asked, status what was observed. */
public class Cluster {

    /** Condition types, in the order they are shown. */
    public static final List<String> CONDITION_TYPES = List.of("Accepted", "HostsReserved", "ControlPlaneAvailable",
            "WorkersReady", "Ready", "Degraded", "Failed");

    public String id;
    public Metadata metadata = new Metadata();
    public Spec spec = new Spec();
    public Status status = new Status();

    public static class Metadata {
        public String name;
        public String tenant;
        public Map<String, String> labels = new LinkedHashMap<>();
        public Map<String, String> annotations = new LinkedHashMap<>();
        public Instant creationTimestamp;
        public Instant deletionTimestamp;
        public long version;
    }

    public static class Spec {
        public String template;
        public Integer templateVersion;
        public Map<String, Object> templateParameters = new LinkedHashMap<>();
        public Map<String, NodeSetSpec> nodeSets = new LinkedHashMap<>();
        public String duration;
    }

    public static class NodeSetSpec {
        public Integer size;

        public NodeSetSpec() {
        }

        public NodeSetSpec(int size) {
            this.size = size;
        }
    }

    public static class Status {
        public ClusterState state;
        public List<Condition> conditions = new ArrayList<>();
        public String apiUrl;
        public String consoleUrl;
        public Map<String, NodeSetStatus> nodeSets = new LinkedHashMap<>();
        public Instant expiresAt;
        public Order order;
        /** The permanent reason a FAILED cluster stopped at (InsufficientCapacity, ControlPlaneTimeout...). */
        public String reason;
        /** When the hub first asked for hosts (the capacity wait runs from here). */
        public Instant hostsRequestedAt;
        /** When the hub asked the management cluster for the control plane (its timeout runs from here). */
        public Instant controlPlaneRequestedAt;
        /** When the cluster.expiring notice went out. */
        public Instant expiryNoticeSentAt;

        public Condition condition(String type) {
            return conditions.stream().filter(c -> c.type.equals(type)).findFirst().orElse(null);
        }

        public boolean isTrue(String type) {
            Condition c = condition(type);
            return c != null && c.isTrue();
        }

        /** Sets a condition; the transition time moves only when the status changes. Returns true on a change. */
        public boolean setCondition(String type, boolean value, String reason, String message, Instant now) {
            String s = value ? "True" : "False";
            Condition c = condition(type);
            if (c == null) {
                conditions.add(new Condition(type, s, reason, message, now));
                conditions.sort((a, b) -> Integer.compare(index(a.type), index(b.type)));
                return true;
            }
            boolean changed = !s.equals(c.status) || !java.util.Objects.equals(reason, c.reason)
                    || !java.util.Objects.equals(message, c.message);
            if (!s.equals(c.status)) {
                c.lastTransitionTime = now;
            }
            c.status = s;
            c.reason = reason;
            c.message = message;
            return changed;
        }

        private static int index(String type) {
            int i = CONDITION_TYPES.indexOf(type);
            return i < 0 ? CONDITION_TYPES.size() : i;
        }
    }

    public static class NodeSetStatus {
        public String hostClass;
        public int size;
        public int ready;

        public NodeSetStatus() {
        }

        public NodeSetStatus(String hostClass, int size, int ready) {
            this.hostClass = hostClass;
            this.size = size;
            this.ready = ready;
        }
    }

    public static class Order {
        public String source;
        public String reference;

        public Order() {
        }

        public Order(String source, String reference) {
            this.source = source;
            this.reference = reference;
        }
    }
}
