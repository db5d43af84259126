package io.fulfillmenthub.provisioning;

import java.net.HttpURLConnection;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fulfillmenthub.provisioning.hub.HubLabels;
import io.fulfillmenthub.provisioning.hub.HubLists;
import io.fulfillmenthub.store.Db;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

/**
 * Reserves and releases the Agents (hosts) of the management hub. Reservation is safe under concurrency twice over:
 * reservations of one host class are serialised on a database row lock shared by every replica, and every Agent
 * update carries the resourceVersion it was read at, so a change made elsewhere meanwhile makes it fail (409)
 * instead of double-booking the host.
 */
@ApplicationScoped
public class AgentPool {

    private static final Logger LOG = Logger.getLogger(AgentPool.class);
    /** Label the hub puts on Agents it took out of service: OFFLINE or MAINTENANCE. */
    public static final String OUT_OF_SERVICE = HubLabels.PREFIX + "out-of-service";
    public static final String OUT_OF_SERVICE_REASON = HubLabels.PREFIX + "out-of-service-reason";

    @Inject
    ManagementHub hub;
    @Inject
    HubSettings settings;
    @Inject
    Db db;
    /** Host classes whose lock row exists. */
    private final Set<String> knownClasses = ConcurrentHashMap.newKeySet();

    /** Thrown when a host class has too few free hosts. */
    public static class InsufficientCapacity extends RuntimeException {
        public final String hostClass;
        public final int wanted;
        public final int free;

        public InsufficientCapacity(String hostClass, int wanted, int free) {
            super("host class " + hostClass + " has " + free + " free host(s), " + wanted + " needed");
            this.hostClass = hostClass;
            this.wanted = wanted;
            this.free = free;
        }
    }

    /** Every Agent of the inventory namespace, in pages. */
    public List<GenericKubernetesResource> agents() {
        return HubLists.all(hub.client().genericKubernetesResources(HubLabels.AGENTS)
                .inNamespace(settings.inventoryNamespace()));
    }

    /** Candidate Agents of a class, selected on the API server (the inventory can be large). */
    List<GenericKubernetesResource> freeOfClass(String hostClass) {
        return HubLists.all(hub.client().genericKubernetesResources(HubLabels.AGENTS)
                .inNamespace(settings.inventoryNamespace()).withLabel(HubLabels.HOST_CLASS, hostClass)
                .withoutLabel(HubLabels.CLUSTER).withoutLabel(OUT_OF_SERVICE));
    }

    public List<GenericKubernetesResource> reservedFor(String clusterId, String nodeSet) {
        var op = hub.client().genericKubernetesResources(HubLabels.AGENTS).inNamespace(settings.inventoryNamespace())
                .withLabel(HubLabels.CLUSTER, clusterId);
        if (nodeSet != null) {
            op = op.withLabel(HubLabels.NODE_SET, nodeSet);
        }
        List<GenericKubernetesResource> out = new ArrayList<>(HubLists.all(op));
        out.sort(Comparator.comparing(a -> a.getMetadata().getName()));
        return out;
    }

    static boolean isFree(GenericKubernetesResource a, String hostClass) {
        Map<String, String> l = a.getMetadata().getLabels() == null ? Map.of() : a.getMetadata().getLabels();
        Object approved = spec(a).get("approved");
        return hostClass.equals(l.get(HubLabels.HOST_CLASS)) && !l.containsKey(HubLabels.CLUSTER)
                && !l.containsKey(OUT_OF_SERVICE) && a.getMetadata().getDeletionTimestamp() == null
                && !Boolean.FALSE.equals(approved);
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> spec(GenericKubernetesResource a) {
        Object s = a.getAdditionalProperties().get("spec");
        if (s == null) {
            s = new LinkedHashMap<String, Object>();
            a.getAdditionalProperties().put("spec", s);
        }
        return (Map<String, Object>) s;
    }

    /**
     * Tops the node set's reservation up to {@code wanted} Agents of the class: all or nothing, so two orders racing
     * for the last hosts never both end up half-served. Returns the Agents now reserved for the node set.
     */
    public List<GenericKubernetesResource> reserve(String clusterId, String clusterName, String clusterNamespace,
            String nodeSet, String hostClass, int wanted) {
        return reserve(clusterId, clusterName, clusterNamespace, nodeSet, hostClass, wanted, false);
    }

    /**
     * {@link #reserve(String, String, String, String, String, int)}, without first asking the API server which Agents
     * the node set holds when the caller knows it holds none ({@code holdsNone}: a cluster that no pass has saved yet).
     * One call less on every new order; if a pass died between reserving and saving, the node set ends up with more
     * Agents than wanted, and the next passes release the surplus as after a scale-down.
     */
    public List<GenericKubernetesResource> reserve(String clusterId, String clusterName, String clusterNamespace,
            String nodeSet, String hostClass, int wanted, boolean holdsNone) {
        ensureClassRow(hostClass);
        return db.tx(c -> {
            // serialise reservations of this host class across threads and replicas
            Db.one(c, "select name from host_classes where name = ? for update", rs -> rs.getString(1), hostClass);
            List<GenericKubernetesResource> mine = holdsNone ? new ArrayList<>() : reservedFor(clusterId, nodeSet);
            int missing = wanted - mine.size();
            if (missing <= 0) {
                return mine;
            }
            for (int attempt = 0; attempt < 5; attempt++) {
                List<GenericKubernetesResource> free = new ArrayList<>(freeOfClass(hostClass).stream()
                        .filter(a -> isFree(a, hostClass)).toList());
                free.sort(Comparator.comparing(a -> a.getMetadata().getName()));
                if (free.size() < missing) {
                    throw new InsufficientCapacity(hostClass, missing, free.size());
                }
                boolean conflict = false;
                for (GenericKubernetesResource a : free.subList(0, missing)) {
                    try {
                        label(a, clusterId, clusterName, clusterNamespace, nodeSet);
                        mine.add(a);
                    } catch (KubernetesClientException e) {
                        if (e.getCode() != HttpURLConnection.HTTP_CONFLICT) {
                            throw e;
                        }
                        conflict = true; // changed elsewhere since read: read again
                    }
                }
                missing = wanted - mine.size();
                if (missing <= 0) {
                    return mine;
                }
                if (!conflict) {
                    break;
                }
            }
            throw new InsufficientCapacity(hostClass, missing, 0);
        });
    }

    private void ensureClassRow(String hostClass) {
        if (knownClasses.contains(hostClass)) {
            return;
        }
        try {
            db.tx(c -> {
                if (Db.count(c, "select count(*) from host_classes where name = ?", hostClass) == 0) {
                    Db.update(c, "insert into host_classes (name) values (?)", hostClass);
                }
                return null;
            });
        } catch (RuntimeException e) {
            if (!Db.isUniqueViolation(e)) {
                throw e;
            }
        }
        knownClasses.add(hostClass); // rows are never deleted
    }

    private void label(GenericKubernetesResource a, String clusterId, String clusterName, String ns, String nodeSet) {
        a.getMetadata().getLabels().putAll(HubObjects.reservationLabels(clusterId, nodeSet));
        spec(a).put("clusterDeploymentName", Map.of("name", clusterName, "namespace", ns));
        // update() sends the resourceVersion read above: a concurrent change makes this fail with 409
        hub.client().genericKubernetesResources(HubLabels.AGENTS).inNamespace(settings.inventoryNamespace())
                .resource(a).update();
        LOG.infof("Agent %s reserved for cluster %s node set %s", a.getMetadata().getName(), clusterId, nodeSet);
    }

    /** Releases one Agent: reservation labels and clusterDeploymentName removed; the platform wipes the host. */
    public void release(GenericKubernetesResource agent) {
        for (int attempt = 0; attempt < 5; attempt++) {
            GenericKubernetesResource a = attempt == 0 ? agent
                    : hub.client().genericKubernetesResources(HubLabels.AGENTS).inNamespace(settings.inventoryNamespace())
                            .withName(agent.getMetadata().getName()).get();
            if (a == null) {
                return;
            }
            a.getMetadata().getLabels().remove(HubLabels.CLUSTER);
            a.getMetadata().getLabels().remove(HubLabels.NODE_SET);
            spec(a).remove("clusterDeploymentName");
            try {
                hub.client().genericKubernetesResources(HubLabels.AGENTS).inNamespace(settings.inventoryNamespace())
                        .resource(a).update();
                LOG.infof("Agent %s released", a.getMetadata().getName());
                return;
            } catch (KubernetesClientException e) {
                if (e.getCode() == HttpURLConnection.HTTP_NOT_FOUND) {
                    return;
                }
                if (e.getCode() != HttpURLConnection.HTTP_CONFLICT) {
                    throw e;
                }
            }
        }
        throw new IllegalStateException("Agent " + agent.getMetadata().getName() + " kept changing; release retried later");
    }

    /** Releases every Agent reserved for the cluster (or one node set of it). */
    public int releaseAll(String clusterId, String nodeSet) {
        List<GenericKubernetesResource> mine = reservedFor(clusterId, nodeSet);
        mine.forEach(this::release);
        return mine.size();
    }

    /** Marks an Agent out of service (or back in service when {@code state} is null). */
    public GenericKubernetesResource setOutOfService(String agentName, String state, String reason) {
        for (int attempt = 0; attempt < 5; attempt++) {
            GenericKubernetesResource a = hub.client().genericKubernetesResources(HubLabels.AGENTS)
                    .inNamespace(settings.inventoryNamespace()).withName(agentName).get();
            if (a == null) {
                return null;
            }
            if (a.getMetadata().getAnnotations() == null) {
                a.getMetadata().setAnnotations(new LinkedHashMap<>());
            }
            if (state == null) {
                a.getMetadata().getLabels().remove(OUT_OF_SERVICE);
                a.getMetadata().getAnnotations().remove(OUT_OF_SERVICE_REASON);
            } else {
                a.getMetadata().getLabels().put(OUT_OF_SERVICE, state);
                if (reason != null) {
                    a.getMetadata().getAnnotations().put(OUT_OF_SERVICE_REASON, reason);
                }
            }
            try {
                return hub.client().genericKubernetesResources(HubLabels.AGENTS).inNamespace(settings.inventoryNamespace())
                        .resource(a).update();
            } catch (KubernetesClientException e) {
                if (e.getCode() != HttpURLConnection.HTTP_CONFLICT) {
                    throw e;
                }
            }
        }
        throw new IllegalStateException("Agent " + agentName + " kept changing");
    }
}
