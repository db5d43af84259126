package io.fulfillmenthub.provisioning;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fulfillmenthub.clusters.ClusterOrders;
import io.fulfillmenthub.inventory.InventorySync;
import io.fulfillmenthub.provisioning.hub.HubLabels;
import io.fulfillmenthub.store.Db;
import io.fulfillmenthub.store.WorkQueue;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.scheduler.Scheduled;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

/**
 * What triggers a reconcile besides the API: watches on the hub's HostedClusters, NodePools and Agents (a change to
 * an object labelled with a cluster id queues that cluster), and a periodic resync of every live cluster and of the
 * inventory, the safety net under the watches.
 */
@ApplicationScoped
public class HubWatch {

    private static final Logger LOG = Logger.getLogger(HubWatch.class);

    @Inject
    ManagementHub hub;
    @Inject
    HubSettings settings;
    @Inject
    WorkQueue queue;
    @Inject
    InventorySync inventory;
    @Inject
    Db db;

    private volatile List<SharedIndexInformer<GenericKubernetesResource>> informers = List.of();
    private volatile boolean stopping;

    /**
     * The first inventory sync and the watches, on a thread of their own: they wait for the management hub (the
     * embedded one starts beside the application), and the HTTP server need not wait for them. Reads of the hosts
     * table wait for that first sync ({@link ManagementHub#awaitInventorySynced()}); readiness reports it.
     */
    void start(@Observes @Priority(30) StartupEvent ev) {
        Thread t = new Thread(this::connect, "hub-watch-start");
        t.setDaemon(true);
        t.start();
    }

    void connect() {
        try {
            inventory.resync();
        } catch (RuntimeException e) {
            StringBuilder why = new StringBuilder(String.valueOf(e.getMessage()));
            int depth = 0; // a chain of causes can loop (A caused by B caused by A): at most ten links
            for (Throwable c = e.getCause(); c != null && c != c.getCause() && depth++ < 10; c = c.getCause()) {
                why.append(" <- ").append(c.getClass().getSimpleName()).append(": ").append(c.getMessage());
            }
            if (stopping) {
                LOG.debugf("Inventory not synced at start: the hub stopped first (%s)", why);
            } else {
                LOG.warnf("Inventory not synced at start (%s); the periodic resync retries", why);
            }
        } finally {
            hub.markInventorySynced();
        }
        try {
            var client = hub.client();
            // started without waiting for their first list: the periodic resync covers the time until they run
            List<SharedIndexInformer<GenericKubernetesResource>> started = List.of(
                    start(client.genericKubernetesResources(HubLabels.HOSTED_CLUSTERS).inAnyNamespace()
                            .withLabel(HubLabels.CLUSTER).runnableInformer(0), clusterTrigger()),
                    start(client.genericKubernetesResources(HubLabels.NODE_POOLS).inAnyNamespace()
                            .withLabel(HubLabels.CLUSTER).runnableInformer(0), clusterTrigger()),
                    start(client.genericKubernetesResources(HubLabels.AGENTS).inNamespace(settings.inventoryNamespace())
                            .runnableInformer(0), agentTrigger()));
            synchronized (this) {
                informers = started;
                if (stopping) {
                    started.forEach(SharedIndexInformer::stop);
                }
            }
        } catch (RuntimeException e) {
            LOG.warnf("Watches not started (%s): the periodic resync keeps clusters moving", e.getMessage());
        }
    }

    private static SharedIndexInformer<GenericKubernetesResource> start(SharedIndexInformer<GenericKubernetesResource> informer,
            ResourceEventHandler<GenericKubernetesResource> handler) {
        informer.addEventHandler(handler);
        informer.start();
        return informer;
    }

    void stop(@Observes ShutdownEvent ev) {
        synchronized (this) {
            stopping = true;
            informers.forEach(SharedIndexInformer::stop);
        }
    }

    private ResourceEventHandler<GenericKubernetesResource> clusterTrigger() {
        return new ResourceEventHandler<>() {
            @Override
            public void onAdd(GenericKubernetesResource obj) {
                poke(obj);
            }

            @Override
            public void onUpdate(GenericKubernetesResource oldObj, GenericKubernetesResource newObj) {
                poke(newObj);
            }

            @Override
            public void onDelete(GenericKubernetesResource obj, boolean deletedFinalStateUnknown) {
                poke(obj);
            }
        };
    }

    private ResourceEventHandler<GenericKubernetesResource> agentTrigger() {
        return new ResourceEventHandler<>() {
            @Override
            public void onAdd(GenericKubernetesResource obj) {
                inventory.upsert(obj);
                poke(obj);
            }

            @Override
            public void onUpdate(GenericKubernetesResource oldObj, GenericKubernetesResource newObj) {
                inventory.upsert(newObj);
                poke(oldObj);
                poke(newObj);
            }

            @Override
            public void onDelete(GenericKubernetesResource obj, boolean deletedFinalStateUnknown) {
                inventory.remove(obj.getMetadata().getName());
                poke(obj);
            }
        };
    }

    private void poke(GenericKubernetesResource obj) {
        Map<String, String> labels = obj.getMetadata().getLabels();
        String clusterId = labels == null ? null : labels.get(HubLabels.CLUSTER);
        if (clusterId == null) {
            return;
        }
        try {
            queue.enqueue(ClusterOrders.RECONCILE, clusterId, Instant.now());
        } catch (RuntimeException e) {
            LOG.debugf("reconcile of %s not queued from a watch event: %s", clusterId, e.getMessage());
        }
    }

    /** Every live cluster is looked at again at least once per resync period. */
    @Scheduled(every = "${hub.provisioning.resync:30s}", delayed = "5s",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void resyncClusters() {
        // one set-based statement: clusters already queued keep their turn, the others are added
        resync("Cluster", () -> db.tx(c -> WorkQueue.enqueueMissing(c, ClusterOrders.RECONCILE,
                "select id as item_key from clusters where state in ('PROGRESSING', 'READY', 'DELETING')", Instant.now())));
    }

    @Scheduled(every = "${hub.provisioning.inventory-resync:30s}", delayed = "10s",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void resyncInventory() {
        resync("Inventory", () -> inventory.resync());
    }

    /**
     * Runs a periodic resync unless the hub stops. A failure while the hub runs is a warning (the next resync makes up
     * for it); the same failure when the stop overtook the resync (the management hub's client or the datasource
     * closed under it) is no fault.
     */
    private void resync(String what, Runnable work) {
        if (stopping) {
            return;
        }
        try {
            work.run();
        } catch (RuntimeException e) {
            if (stopping) {
                LOG.debugf("%s resync abandoned as the hub stops: %s", what, e.getMessage());
            } else {
                LOG.warnf("%s resync failed: %s", what, e.getMessage());
            }
        }
    }
}
