package io.fulfillmenthub.provisioning;

import java.net.HttpURLConnection;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fulfillmenthub.catalog.Template;
import io.fulfillmenthub.catalog.TemplateStore;
import io.fulfillmenthub.clusters.Cluster;
import io.fulfillmenthub.clusters.ClusterLifecycle;
import io.fulfillmenthub.clusters.ClusterState;
import io.fulfillmenthub.clusters.ClusterStore;
import io.fulfillmenthub.events.Outbox;
import io.fulfillmenthub.provisioning.hub.HubLabels;
import io.fulfillmenthub.store.Db;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.inject.Named;
import org.jboss.logging.Logger;

/**
 * The steps of the provisioning pipeline ({@code routes/provisioning.yaml}), one level-triggered reconcile per
 * cluster: each step compares what the cluster asks for with what the management hub shows and takes the next
 * missing step. Every step is idempotent (deterministic names, labels carrying the cluster id), so a crash, a retry
 * or a second replica simply reconciles again.
 */
@ApplicationScoped
@Named("provisioner")
public class Provisioner {

    private static final Logger LOG = Logger.getLogger(Provisioner.class);
    static final Duration WATCH_CLOSELY = Duration.ofSeconds(1);

    @Inject
    ManagementHub hub;
    @Inject
    HubSettings settings;
    @Inject
    AgentPool agents;
    @Inject
    TemplateStore templates;
    @Inject
    Db db;

    // ---------------------------------------------------------------- load and save

    /** Reads the cluster and the template version it was made from. */
    public ReconcileContext load(ReconcileContext ctx) {
        ctx.cluster = db.read(c -> ClusterStore.get(c, ctx.clusterId()));
        if (ctx.cluster == null) {
            ctx.halted = true;
            return ctx;
        }
        ctx.readVersion = ctx.cluster.metadata.version;
        ctx.template = templates.get(ctx.cluster.spec.template, ctx.cluster.spec.templateVersion);
        ClusterState s = ctx.cluster.status.state;
        if (s == ClusterState.FAILED || s == ClusterState.DELETED) {
            ctx.halted = true; // nothing to do until an SRE retries (FAILED) or ever (DELETED)
        }
        return ctx;
    }

    /** Writes what the pass observed, with the events it caused, in one transaction; a concurrent change wins. */
    public ReconcileContext save(ReconcileContext ctx) {
        if (ctx.cluster != null && HUB_UNREACHABLE.equals(reasonOf(ctx.cluster, "Degraded"))
                && ctx.cluster.status.isTrue("Degraded")) {
            // this pass got through: the hub answers again
            ctx.changed |= ctx.cluster.status.setCondition("Degraded", false, "AsExpected",
                    "the management hub answers again", now());
        }
        if (ctx.cluster == null || (!ctx.changed && ctx.events.isEmpty())) {
            return ctx;
        }
        boolean saved = db.tx(c -> {
            if (!ClusterStore.update(c, ctx.cluster, ctx.readVersion)) {
                return false;
            }
            for (String type : ctx.events) {
                Outbox.append(c, type, ctx.cluster.metadata.tenant, ctx.cluster.id, ctx.cluster);
            }
            return true;
        });
        if (!saved) {
            ctx.requeue(Duration.ZERO); // the cluster changed meanwhile (scale, delete): look again at once
        }
        return ctx;
    }

    // ---------------------------------------------------------------- lease

    /** Expiry: DELETING when the lease is over, whatever the cluster is waiting for. */
    public ReconcileContext checkLease(ReconcileContext ctx) {
        Cluster k = ctx.cluster;
        if (ctx.halted || k.status.state.isTerminating() || k.status.expiresAt == null) {
            return ctx;
        }
        Instant now = Instant.now();
        if (!now.isBefore(k.status.expiresAt)) {
            ClusterLifecycle.markDeleting(k, "LeaseExpired", "the lease ended at " + k.status.expiresAt, now());
            ctx.changed = true;
            return ctx;
        }
        ctx.requeue(Duration.between(now, k.status.expiresAt).plusMillis(50));
        return ctx;
    }

    /**
     * The purchaser's notice ahead of the lease's end ({@code cluster.expiring}), once, at the end of a pass that left
     * the cluster PROGRESSING or READY: an order that failed in this pass (no hosts, say) gets no notice for a lease
     * it never used.
     */
    public ReconcileContext noticeExpiry(ReconcileContext ctx) {
        Cluster k = ctx.cluster;
        if (k == null || k.status.expiresAt == null || k.status.expiryNoticeSentAt != null
                || (k.status.state != ClusterState.PROGRESSING && k.status.state != ClusterState.READY)) {
            return ctx;
        }
        Instant now = Instant.now();
        Instant noticeAt = k.status.expiresAt.minus(settings.expiryNoticeLead());
        if (now.isBefore(noticeAt)) {
            ctx.requeue(Duration.between(now, noticeAt).plusMillis(50));
            return ctx;
        }
        k.status.expiryNoticeSentAt = now();
        ctx.changed = true;
        ctx.emit("cluster.expiring");
        return ctx;
    }

    // ---------------------------------------------------------------- teardown

    /**
     * DELETING: NodePools, HostedCluster and namespace removed, Agents released; then DELETED. A pass over a cluster
     * that is DELETED already (a watch event or a resync after the teardown) does nothing: {@code cluster.deleted} is
     * reported once.
     */
    public ReconcileContext teardown(ReconcileContext ctx) {
        if (ctx.halted) {
            return ctx;
        }
        Cluster k = ctx.cluster;
        String ns = HubObjects.namespace(settings, k);
        var client = hub.client();
        client.genericKubernetesResources(HubLabels.NODE_POOLS).inNamespace(ns).withLabel(HubLabels.CLUSTER, k.id).delete();
        client.genericKubernetesResources(HubLabels.HOSTED_CLUSTERS).inNamespace(ns).withName(k.metadata.name).delete();
        int released = agents.releaseAll(k.id, null);
        client.namespaces().withName(ns).delete();
        boolean gone = client.genericKubernetesResources(HubLabels.HOSTED_CLUSTERS).inNamespace(ns)
                .withName(k.metadata.name).get() == null && agents.reservedFor(k.id, null).isEmpty();
        if (!gone) {
            return ctx.halt(Duration.ofSeconds(2));
        }
        LOG.infof("Cluster %s (%s) torn down, %d host(s) released", k.id, k.metadata.name, released);
        ClusterLifecycle.markDeleted(k, now());
        ctx.changed = true;
        ctx.emit("cluster.deleted");
        ctx.halted = true;
        return ctx;
    }

    // ---------------------------------------------------------------- provisioning steps

    /** Reserves Agents for every node set (all or nothing per node set); waits, then fails, when a class is short. */
    public ReconcileContext reserveHosts(ReconcileContext ctx) {
        if (ctx.halted) {
            return ctx;
        }
        Cluster k = ctx.cluster;
        // version 1: no pass saved anything yet, so none reserved hosts (unless it died before saving: see reserve)
        boolean holdsNone = ctx.readVersion == 1;
        if (k.status.hostsRequestedAt == null) {
            k.status.hostsRequestedAt = now();
            ctx.changed = true;
        }
        for (Map.Entry<String, Cluster.NodeSetSpec> e : k.spec.nodeSets.entrySet()) {
            Template.NodeSet ns = ctx.template.nodeSet(e.getKey());
            try {
                agents.reserve(k.id, k.metadata.name, HubObjects.namespace(settings, k), e.getKey(), ns.hostClass,
                        e.getValue().size, holdsNone);
            } catch (AgentPool.InsufficientCapacity ic) {
                Duration waited = Duration.between(k.status.hostsRequestedAt, Instant.now());
                if (k.status.state == ClusterState.PROGRESSING && !k.status.isTrue("ControlPlaneAvailable")
                        && waited.compareTo(settings.capacityWait()) >= 0) {
                    agents.releaseAll(k.id, null);
                    fail(ctx, "InsufficientCapacity", ic.getMessage());
                    return ctx;
                }
                ctx.changed |= k.status.setCondition("HostsReserved", false, "InsufficientCapacity", ic.getMessage(), now());
                return ctx.halt(Duration.ofSeconds(5));
            }
        }
        ctx.changed |= k.status.setCondition("HostsReserved", true, "AsExpected", "every node set has its hosts", now());
        return ctx;
    }

    /** The cluster's namespace on the management hub and its pull secret. */
    public ReconcileContext ensureNamespace(ReconcileContext ctx) {
        if (ctx.halted) {
            return ctx;
        }
        Cluster k = ctx.cluster;
        var client = hub.client();
        boolean fresh = neverCreated(k);
        if (fresh || client.namespaces().withName(HubObjects.namespace(settings, k)).get() == null) {
            createIgnoringExisting(() -> client.namespaces().resource(HubObjects.namespaceObject(settings, k)).create());
        }
        String ns = HubObjects.namespace(settings, k);
        if (fresh || client.secrets().inNamespace(ns).withName(HubObjects.PULL_SECRET).get() == null) {
            createIgnoringExisting(() -> client.secrets().inNamespace(ns).resource(HubObjects.pullSecret(settings, k)).create());
        }
        return ctx;
    }

    /** The HostedCluster, with the release image of the template version the cluster was made from. */
    public ReconcileContext ensureHostedCluster(ReconcileContext ctx) {
        if (ctx.halted) {
            return ctx;
        }
        Cluster k = ctx.cluster;
        String ns = HubObjects.namespace(settings, k);
        var op = hub.client().genericKubernetesResources(HubLabels.HOSTED_CLUSTERS).inNamespace(ns);
        if (neverCreated(k) || op.withName(k.metadata.name).get() == null) {
            createIgnoringExisting(() -> op.resource(HubObjects.hostedCluster(settings, k, ctx.template.release.image)).create());
            LOG.infof("HostedCluster %s/%s created for cluster %s", ns, k.metadata.name, k.id);
        }
        if (k.status.controlPlaneRequestedAt == null) {
            k.status.controlPlaneRequestedAt = now();
            ctx.changed = true;
        }
        return ctx;
    }

    /** One NodePool per node set, its replicas following the node set's size. */
    public ReconcileContext ensureNodePools(ReconcileContext ctx) {
        if (ctx.halted) {
            return ctx;
        }
        Cluster k = ctx.cluster;
        String ns = HubObjects.namespace(settings, k);
        var op = hub.client().genericKubernetesResources(HubLabels.NODE_POOLS).inNamespace(ns);
        for (Map.Entry<String, Cluster.NodeSetSpec> e : k.spec.nodeSets.entrySet()) {
            String name = HubObjects.nodePoolName(k, e.getKey());
            GenericKubernetesResource np = op.withName(name).get();
            int wanted = e.getValue().size;
            if (np == null) {
                createIgnoringExisting(() -> op.resource(
                        HubObjects.nodePool(settings, k, e.getKey(), wanted, ctx.template.release.image)).create());
            } else if (!Integer.valueOf(wanted).equals(intAt(np, "spec", "replicas"))) {
                op.withName(name).edit(p -> {
                    spec(p).put("replicas", wanted);
                    return p;
                });
                LOG.infof("NodePool %s/%s scaled to %d", ns, name, wanted);
            }
        }
        return ctx;
    }

    /** Reads HostedCluster and NodePool status into the cluster's status; READY when everything is up. */
    public ReconcileContext observe(ReconcileContext ctx) {
        if (ctx.halted) {
            return ctx;
        }
        Cluster k = ctx.cluster;
        Instant now = now();
        String ns = HubObjects.namespace(settings, k);
        var client = hub.client();
        GenericKubernetesResource hc = client.genericKubernetesResources(HubLabels.HOSTED_CLUSTERS).inNamespace(ns)
                .withName(k.metadata.name).get();
        boolean available = "True".equals(conditionStatus(hc, "Available"));
        boolean degraded = "True".equals(conditionStatus(hc, "Degraded"));
        if (available) {
            ctx.changed |= k.status.setCondition("ControlPlaneAvailable", true, "AsExpected",
                    "the hosted control plane is available", now);
            Object host = at(hc, "status", "controlPlaneEndpoint", "host");
            Object port = at(hc, "status", "controlPlaneEndpoint", "port");
            if (host != null) {
                String api = "https://" + host + ":" + (port == null ? 6443 : port);
                String console = "https://console-openshift-console.apps." + k.metadata.name + "." + settings.baseDomain();
                if (!api.equals(k.status.apiUrl) || !console.equals(k.status.consoleUrl)) {
                    k.status.apiUrl = api;
                    k.status.consoleUrl = console;
                    ctx.changed = true;
                }
            }
        } else {
            Instant asked = k.status.controlPlaneRequestedAt == null ? now : k.status.controlPlaneRequestedAt;
            if (k.status.state == ClusterState.PROGRESSING
                    && Duration.between(asked, now).compareTo(settings.controlPlaneTimeout()) > 0) {
                fail(ctx, "ControlPlaneTimeout", "the control plane did not become available within "
                        + settings.controlPlaneTimeout());
                return ctx;
            }
            ctx.changed |= k.status.setCondition("ControlPlaneAvailable", false, "WaitingForControlPlane",
                    message(hc, "Available", "the hosted control plane is starting"), now);
        }
        boolean workersReady = true;
        var pools = client.genericKubernetesResources(HubLabels.NODE_POOLS).inNamespace(ns);
        for (Map.Entry<String, Cluster.NodeSetSpec> e : k.spec.nodeSets.entrySet()) {
            GenericKubernetesResource np = pools.withName(HubObjects.nodePoolName(k, e.getKey())).get();
            Integer joined = intAt(np, "status", "replicas");
            int ready = joined == null ? 0 : joined;
            int wanted = e.getValue().size;
            Cluster.NodeSetStatus st = k.status.nodeSets.computeIfAbsent(e.getKey(),
                    n -> new Cluster.NodeSetStatus(ctx.template.nodeSet(n).hostClass, wanted, 0));
            if (st.ready != ready || st.size != wanted) {
                st.ready = ready;
                st.size = wanted;
                ctx.changed = true;
            }
            if (ready != wanted) {
                workersReady = false;
            }
            // scaled down: hosts leave once their nodes have left the NodePool
            List<GenericKubernetesResource> mine = agents.reservedFor(k.id, e.getKey());
            if (mine.size() > wanted && ready <= wanted) {
                for (GenericKubernetesResource extra : mine.subList(wanted, mine.size())) {
                    agents.release(extra);
                }
            }
        }
        String workersReason = k.status.state == ClusterState.READY ? "Scaling" : "WaitingForWorkers";
        ctx.changed |= k.status.setCondition("WorkersReady", workersReady, workersReady ? "AsExpected" : workersReason,
                workersReady ? "every node set has its nodes" : "nodes are joining or leaving", now);
        if (degraded != k.status.isTrue("Degraded") && !"NoSpareHost".equals(reasonOf(k, "Degraded"))) {
            ctx.changed |= k.status.setCondition("Degraded", degraded, degraded ? "HostedClusterDegraded" : "AsExpected",
                    degraded ? message(hc, "Degraded", "the hosted cluster reports degraded") : null, now);
            if (degraded) {
                ctx.emit("cluster.degraded");
            }
        }
        if (available && workersReady && k.status.state == ClusterState.PROGRESSING) {
            ClusterLifecycle.markReady(k, now);
            ctx.changed = true;
            ctx.emit("cluster.ready");
            LOG.infof("Cluster %s (%s) is READY", k.id, k.metadata.name);
        }
        ctx.requeue(available && workersReady ? settings.resync() : WATCH_CLOSELY);
        return ctx;
    }

    /**
     * A pass failed on the management hub's API (an error answer, a timeout, a stalled or refused connection, a kind
     * the hub does not serve): the cluster shows {@code Degraded=True}, reason {@code HubUnreachable}, until a pass
     * gets through again, and a {@code cluster.degraded} event reports it as it begins. Its state does not change:
     * the reconcile retries with backoff. Other failures (a bug, the database) are left to the log.
     */
    public void recordHubError(String clusterId, Throwable error, Duration retryIn) {
        String what = hubError(error);
        if (what == null) {
            return;
        }
        db.tx(c -> {
            Cluster k = ClusterStore.get(c, clusterId);
            if (k == null || k.status.state == ClusterState.FAILED || k.status.state == ClusterState.DELETED) {
                return null;
            }
            long version = k.metadata.version;
            boolean wasDegraded = k.status.isTrue("Degraded");
            if (k.status.setCondition("Degraded", true, HUB_UNREACHABLE, "the management hub's API failed (" + what
                    + "); retrying in " + Math.max(1, retryIn.toSeconds()) + " s", now())
                    // a concurrent change wins; the next failure records it again
                    && ClusterStore.update(c, k, version) && !wasDegraded) {
                // subscribers hear of the outage once, when it begins, not on every retry
                Outbox.append(c, "cluster.degraded", k.metadata.tenant, k.id, k);
            }
            return null;
        });
    }

    static final String HUB_UNREACHABLE = "HubUnreachable";

    /** What went wrong with the hub's API, without secrets; null when the error did not come from the hub. */
    static String hubError(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause()) {
            if (t instanceof KubernetesClientException k) {
                if (k.getCode() > 0) {
                    // the API server's own words, e.g. "the server could not find the requested resource" for a kind
                    // it does not serve; they name objects, never credentials
                    String reason = k.getStatus() == null ? null : k.getStatus().getReason();
                    String message = k.getStatus() == null ? null : k.getStatus().getMessage();
                    return "HTTP " + k.getCode() + (reason == null ? "" : " " + reason)
                            + (message == null ? "" : ": " + (message.length() > 200 ? message.substring(0, 200) : message));
                }
                Throwable cause = k.getCause() == null ? k : k.getCause();
                return cause.getClass().getSimpleName();
            }
            if (t instanceof java.io.IOException || t instanceof java.util.concurrent.TimeoutException
                    || t instanceof java.util.concurrent.CancellationException) {
                return t.getClass().getSimpleName();
            }
        }
        return null;
    }

    private void fail(ReconcileContext ctx, String reason, String message) {
        ClusterLifecycle.markFailed(ctx.cluster, reason, message, now());
        ctx.changed = true;
        ctx.emit("cluster.failed");
        ctx.halted = true;
        ctx.requeueAfter = null;
        LOG.warnf("Cluster %s failed: %s (%s)", ctx.cluster.id, reason, message);
    }

    // ---------------------------------------------------------------- helpers

    private static String reasonOf(Cluster k, String type) {
        var c = k.status.condition(type);
        return c == null ? null : c.reason;
    }

    /**
     * True until a pass has created the cluster's HostedCluster: its objects are then created straight away (one call
     * each, a 409 when a crashed pass got there first) instead of looked up first. Later passes look before they
     * create, so a steady cluster costs the hub reads, never rejected writes.
     */
    static boolean neverCreated(Cluster k) {
        return k.status.controlPlaneRequestedAt == null;
    }

    static void createIgnoringExisting(Runnable create) {
        try {
            create.run();
        } catch (KubernetesClientException e) {
            if (e.getCode() != HttpURLConnection.HTTP_CONFLICT) {
                throw e;
            }
        }
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> spec(GenericKubernetesResource r) {
        return (Map<String, Object>) r.getAdditionalProperties().computeIfAbsent("spec", x -> new java.util.LinkedHashMap<>());
    }

    @SuppressWarnings("unchecked")
    static Object at(HasMetadata r, String... path) {
        if (!(r instanceof GenericKubernetesResource g)) {
            return null;
        }
        Object cur = g.getAdditionalProperties();
        for (String p : path) {
            if (!(cur instanceof Map<?, ?> m)) {
                return null;
            }
            cur = ((Map<String, Object>) m).get(p);
        }
        return cur;
    }

    static Integer intAt(HasMetadata r, String... path) {
        Object v = at(r, path);
        return v instanceof Number n ? n.intValue() : null;
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> condition(GenericKubernetesResource r, String type) {
        Object list = at(r, "status", "conditions");
        if (list instanceof List<?> l) {
            for (Object o : l) {
                if (o instanceof Map<?, ?> m && type.equals(m.get("type"))) {
                    return (Map<String, Object>) m;
                }
            }
        }
        return null;
    }

    static String conditionStatus(GenericKubernetesResource r, String type) {
        Map<String, Object> c = r == null ? null : condition(r, type);
        return c == null ? null : String.valueOf(c.get("status"));
    }

    static String message(GenericKubernetesResource r, String type, String dflt) {
        Map<String, Object> c = r == null ? null : condition(r, type);
        Object m = c == null ? null : c.get("message");
        return m == null ? dflt : m.toString();
    }

    static Instant now() {
        return Instant.now().truncatedTo(ChronoUnit.MILLIS);
    }
}
