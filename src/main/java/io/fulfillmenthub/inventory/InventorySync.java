package io.fulfillmenthub.inventory;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fulfillmenthub.provisioning.AgentPool;
import io.fulfillmenthub.provisioning.hub.HubLabels;
import io.fulfillmenthub.store.Db;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

/**
 * Keeps the hosts table in step with the management hub's Agents: one Agent at a time from the watch, and a full
 * resync on a period (which also drops hosts whose Agent is gone). Every replica may run it: the writes are
 * idempotent upserts of what the hub shows.
 */
@ApplicationScoped
public class InventorySync {

    private static final Logger LOG = Logger.getLogger(InventorySync.class);

    @Inject
    Db db;
    @Inject
    AgentPool agents;

    /** The host an Agent represents: class, reservation and service state from its labels. */
    @SuppressWarnings("unchecked")
    public static Host fromAgent(GenericKubernetesResource a) {
        Map<String, String> labels = a.getMetadata().getLabels() == null ? Map.of() : a.getMetadata().getLabels();
        Map<String, String> ann = a.getMetadata().getAnnotations() == null ? Map.of() : a.getMetadata().getAnnotations();
        Host h = new Host();
        h.id = a.getMetadata().getName();
        h.status.hostClass = labels.getOrDefault(HubLabels.HOST_CLASS, "unclassified");
        h.status.clusterId = labels.get(HubLabels.CLUSTER);
        h.status.nodeSet = labels.get(HubLabels.NODE_SET);
        h.status.bareMetalHost = labels.get(HubLabels.AGENT_BMH);
        String oos = labels.get(AgentPool.OUT_OF_SERVICE);
        if (oos != null) {
            h.status.state = "MAINTENANCE".equals(oos) ? HostState.MAINTENANCE : HostState.OFFLINE;
            h.spec.reason = ann.get(AgentPool.OUT_OF_SERVICE_REASON);
        } else if (h.status.clusterId != null) {
            h.status.state = HostState.RESERVED;
        } else {
            h.status.state = HostState.AVAILABLE;
        }
        Map<String, Object> spec = (Map<String, Object>) a.getAdditionalProperties().getOrDefault("spec", Map.of());
        Map<String, Object> status = (Map<String, Object>) a.getAdditionalProperties().getOrDefault("status", Map.of());
        Map<String, Object> inventory = (Map<String, Object>) status.getOrDefault("inventory", Map.of());
        Object hostname = spec.get("hostname");
        if (hostname == null) {
            hostname = inventory.get("hostname");
        }
        h.status.hostname = hostname == null ? null : hostname.toString();
        Object bmc = inventory.get("bmcAddress");
        h.status.bmcAddress = bmc == null ? null : bmc.toString();
        return h;
    }

    /** Mirrors one Agent (from a watch event). */
    public void upsert(GenericKubernetesResource agent) {
        Host h = fromAgent(agent);
        Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        db.tx(c -> InventoryStore.upsert(c, h, now));
    }

    public void remove(String agentName) {
        db.tx(c -> Db.update(c, "delete from hosts where id = ?", agentName));
    }

    /** Mirrors every Agent, then drops rows of Agents that are gone. */
    public int resync() {
        Instant start = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        List<GenericKubernetesResource> all = agents.agents();
        db.tx(c -> {
            for (GenericKubernetesResource a : all) {
                InventoryStore.upsert(c, fromAgent(a), start);
            }
            return null;
        });
        int gone = db.tx(c -> Db.update(c, "delete from hosts where synced_at < ?", start));
        if (gone > 0) {
            LOG.infof("Inventory: %d host(s) left the management hub", gone);
        }
        return all.size();
    }
}
