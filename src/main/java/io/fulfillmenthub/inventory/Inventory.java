package io.fulfillmenthub.inventory;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.Map;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fulfillmenthub.clusters.Cluster;
import io.fulfillmenthub.clusters.ClusterOrders;
import io.fulfillmenthub.clusters.ClusterStore;
import io.fulfillmenthub.events.Outbox;
import io.fulfillmenthub.http.ProblemException;
import io.fulfillmenthub.provisioning.AgentPool;
import io.fulfillmenthub.provisioning.HubObjects;
import io.fulfillmenthub.provisioning.HubSettings;
import io.fulfillmenthub.provisioning.ManagementHub;
import io.fulfillmenthub.provisioning.hub.HubLabels;
import io.fulfillmenthub.store.Db;
import io.fulfillmenthub.store.WorkQueue;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.inject.Named;
import org.jboss.logging.Logger;

/**
 * The inventory's operations: find a host (for alerts), and take it out of service or back. A host serving a
 * cluster is replaced first by a spare of the same class, so the customer's cluster keeps its size.
 */
@ApplicationScoped
@Named("inventory")
public class Inventory {

    private static final Logger LOG = Logger.getLogger(Inventory.class);

    @Inject
    InventoryStore store;
    @Inject
    InventorySync sync;
    @Inject
    AgentPool agents;
    @Inject
    ManagementHub hub;
    @Inject
    HubSettings settings;
    @Inject
    Db db;

    /** What a state change did. */
    public record Change(Host host, HostState before, String replacedBy, String clusterId) {
    }

    /** A host by Agent name, hostname, instance label or BMC address; null when unknown. */
    public Host resolve(String hint, String bmcAddress) {
        hub.awaitInventorySynced(); // just after start: the hosts table is filled from the hub once first
        Host h = store.findByHint(hint);
        if (h == null && bmcAddress != null) {
            h = store.findByHint(bmcAddress);
        }
        return h;
    }

    public Host get(String id) {
        hub.awaitInventorySynced();
        return store.get(id);
    }

    /**
     * Moves a host to AVAILABLE, OFFLINE or MAINTENANCE. A reserved host is first replaced by a spare of the same
     * class reserved for the same cluster and node set; without a spare the host still leaves (it is failing) and
     * the cluster is marked Degraded.
     */
    public Change setState(String id, HostState target, String reason, String actor) {
        if (target == HostState.RESERVED) {
            throw ProblemException.invalid("spec.state", "state must be AVAILABLE, OFFLINE or MAINTENANCE");
        }
        hub.awaitInventorySynced(); // the first sync must not write back what this change replaces
        GenericKubernetesResource agent = hub.client().genericKubernetesResources(HubLabels.AGENTS)
                .inNamespace(settings.inventoryNamespace()).withName(id).get();
        if (agent == null) {
            throw ProblemException.notFound("host", id);
        }
        Host before = InventorySync.fromAgent(agent);
        String replacement = null;
        String clusterId = before.status.clusterId;
        if (target.outOfService()) {
            if (clusterId != null) {
                replacement = replace(agent, before);
            }
            agents.setOutOfService(id, target.name(), reason);
            power(before.status.bareMetalHost, target);
        } else if (before.status.state.outOfService()) {
            agents.setOutOfService(id, null, null);
            power(before.status.bareMetalHost, target);
        }
        GenericKubernetesResource now = hub.client().genericKubernetesResources(HubLabels.AGENTS)
                .inNamespace(settings.inventoryNamespace()).withName(id).get();
        Host after = InventorySync.fromAgent(now);
        boolean changed = after.status.state != before.status.state;
        Instant ts = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        String replacedBy = replacement;
        db.tx(c -> {
            InventoryStore.upsert(c, after, ts);
            if (changed) {
                Map<String, Object> data = new LinkedHashMap<>();
                data.put("host", after);
                data.put("previous_state", before.status.state);
                data.put("reason", reason);
                data.put("actor", actor);
                data.put("cluster_id", clusterId);
                data.put("replaced_by", replacedBy);
                Outbox.append(c, target.outOfService() ? "host.offline" : "host.available", null, id, data);
            }
            if (clusterId != null) {
                WorkQueue.enqueue(c, ClusterOrders.RECONCILE, clusterId, Instant.now());
            }
            return null;
        });
        LOG.infof("Host %s: %s -> %s by %s%s", id, before.status.state, after.status.state, actor,
                replacement == null ? "" : " (replaced by " + replacement + ")");
        return new Change(store.get(id), before.status.state, replacement, clusterId);
    }

    /** Reserves a spare for the cluster's node set, then releases the failing Agent. */
    private String replace(GenericKubernetesResource agent, Host failing) {
        String clusterId = failing.status.clusterId;
        String nodeSet = failing.status.nodeSet;
        Cluster k = db.read(c -> ClusterStore.get(c, clusterId));
        String replacement = null;
        if (k != null && nodeSet != null) {
            int keep = agents.reservedFor(clusterId, nodeSet).size();
            try {
                var after = agents.reserve(clusterId, k.metadata.name, HubObjects.namespace(settings, k), nodeSet,
                        failing.status.hostClass, keep + 1);
                replacement = after.stream().map(a -> a.getMetadata().getName())
                        .filter(n -> !n.equals(failing.id)).reduce((a, b) -> b).orElse(null);
            } catch (AgentPool.InsufficientCapacity e) {
                LOG.warnf("No spare %s host to replace %s in cluster %s: the cluster runs short", failing.status.hostClass,
                        failing.id, clusterId);
                markDegraded(clusterId, "NoSpareHost", "host " + failing.id + " left service and no spare of class "
                        + failing.status.hostClass + " was free");
            }
        }
        agents.release(agent);
        return replacement;
    }

    private void markDegraded(String clusterId, String reason, String message) {
        db.tx(c -> {
            Cluster k = ClusterStore.lock(c, clusterId);
            if (k != null && k.status.setCondition("Degraded", true, reason, message, Instant.now())) {
                ClusterStore.update(c, k, k.metadata.version);
                Outbox.append(c, "cluster.degraded", k.metadata.tenant, k.id, k);
            }
            return null;
        });
    }

    /** OFFLINE powers the BareMetalHost off; MAINTENANCE detaches it; AVAILABLE undoes both. */
    private void power(String bmhName, HostState target) {
        if (bmhName == null) {
            return;
        }
        try {
            var op = hub.client().genericKubernetesResources(HubLabels.BARE_METAL_HOSTS)
                    .inNamespace(settings.inventoryNamespace()).withName(bmhName);
            GenericKubernetesResource bmh = op.get();
            if (bmh == null) {
                return;
            }
            @SuppressWarnings("unchecked")
            Map<String, Object> spec = (Map<String, Object>) bmh.getAdditionalProperties()
                    .computeIfAbsent("spec", k -> new LinkedHashMap<>());
            if (bmh.getMetadata().getAnnotations() == null) {
                bmh.getMetadata().setAnnotations(new LinkedHashMap<>());
            }
            spec.put("online", target != HostState.OFFLINE);
            if (target == HostState.MAINTENANCE) {
                bmh.getMetadata().getAnnotations().put("baremetalhost.metal3.io/detached", "{\"deleteAction\":\"delay\"}");
            } else {
                bmh.getMetadata().getAnnotations().remove("baremetalhost.metal3.io/detached");
            }
            hub.client().genericKubernetesResources(HubLabels.BARE_METAL_HOSTS).inNamespace(settings.inventoryNamespace())
                    .resource(bmh).update();
        } catch (KubernetesClientException e) {
            LOG.warnf("BareMetalHost %s not updated (%s); the Agent state stands", bmhName, e.getCode());
        }
    }
}
