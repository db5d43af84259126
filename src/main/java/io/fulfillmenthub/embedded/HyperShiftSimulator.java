package io.fulfillmenthub.embedded;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.fulfillmenthub.provisioning.hub.HubLabels;
import org.jboss.logging.Logger;

/**
 * Plays the HyperShift operator and the agent controllers against the embedded API server, and only through its API,
 * exactly as the real controllers would: HostedClusters become available after a delay (endpoint, version history,
 * kubeconfig and kubeadmin password secrets), Agents selected by a NodePool bind and install, NodePools report the
 * nodes that joined. Never active when a real management hub is configured.
 *
 * <p>Like a controller it works while something is in progress (a control plane or a node waiting for its delay, a
 * status it just wrote) and otherwise waits for a change: it watches HostedClusters, NodePools and the inventory's
 * Agents and steps again at once when one changes, with a step every {@code idleTick} as a safety net (every
 * {@code tick} if a watch could not be kept). An idle embedded hub therefore makes no API calls several times a
 * second (it made 20 a second, ~2 MB of garbage, BENCHMARKS.md session 7).
 */
public final class HyperShiftSimulator implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(HyperShiftSimulator.class);
    private static final SecureRandom RANDOM = new SecureRandom();

    private final KubernetesClient client;
    private final String inventoryNamespace;
    private final Duration controlPlaneDelay;
    private final Duration nodeDelay;
    private final Map<String, Instant> firstSeen = new ConcurrentHashMap<>();
    /** Agents this simulator bound to a NodePool: watched until they are unbound again. */
    private final java.util.Set<String> bound = ConcurrentHashMap.newKeySet();
    private final Thread thread;
    private final Duration tick;
    private final Duration idleTick;
    /** Released by every watch event (and by resume and close): the loop steps again at once. */
    private final Semaphore changed = new Semaphore(0);
    private final List<Watch> watches = new ArrayList<>();
    private volatile boolean watching;
    private volatile boolean running = true;
    private volatile boolean paused;
    private final java.util.concurrent.atomic.AtomicLong steps = new java.util.concurrent.atomic.AtomicLong();

    public HyperShiftSimulator(KubernetesClient client, String inventoryNamespace, Duration controlPlaneDelay,
            Duration nodeDelay, Duration tick, Duration idleTick) {
        this.client = client;
        this.inventoryNamespace = inventoryNamespace;
        this.controlPlaneDelay = controlPlaneDelay;
        this.nodeDelay = nodeDelay;
        this.tick = tick;
        this.idleTick = idleTick.compareTo(tick) < 0 ? tick : idleTick;
        this.thread = new Thread(this::loop, "hypershift-simulator");
        this.thread.setDaemon(true);
    }

    public HyperShiftSimulator start() {
        watch();
        thread.start();
        return this;
    }

    /** While paused, control planes and nodes make no progress (to watch timeouts happen). */
    public void pause(boolean pause) {
        this.paused = pause;
        changed.release();
    }

    /** Steps taken so far (tests: an idle simulator takes few). */
    public long steps() {
        return steps.get();
    }

    private void watch() {
        Watcher<GenericKubernetesResource> wake = new Watcher<>() {
            @Override
            public void eventReceived(Action action, GenericKubernetesResource resource) {
                changed.release();
            }

            @Override
            public void onClose(WatcherException cause) {
                if (running) {
                    LOG.debugf("simulator watch closed (%s): stepping every %s", cause.getMessage(), tick);
                    watching = false;
                    changed.release();
                }
            }
        };
        try {
            watches.add(client.genericKubernetesResources(HubLabels.HOSTED_CLUSTERS).inAnyNamespace().watch(wake));
            watches.add(client.genericKubernetesResources(HubLabels.NODE_POOLS).inAnyNamespace().watch(wake));
            watches.add(client.genericKubernetesResources(HubLabels.AGENTS).inNamespace(inventoryNamespace).watch(wake));
            watching = true;
        } catch (KubernetesClientException e) {
            LOG.debugf("simulator cannot watch (%s): stepping every %s", e.getMessage(), tick);
        }
    }

    private void loop() {
        while (running) {
            boolean busy = false;
            try {
                if (!paused) {
                    busy = step();
                }
            } catch (RuntimeException e) {
                LOG.debugf("simulator step failed: %s", e.getMessage());
                busy = true;
            }
            try {
                Duration wait = busy || !watching ? tick : idleTick;
                changed.tryAcquire(wait.toMillis(), TimeUnit.MILLISECONDS);
                changed.drainPermits();
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /**
     * One round over every HostedCluster, NodePool and Agent; true while something is in progress (a delay running,
     * a status just written), i.e. when the next round must not wait for a change.
     */
    public boolean step() {
        steps.incrementAndGet();
        Instant now = Instant.now();
        boolean busy = false;
        for (GenericKubernetesResource hc : client.genericKubernetesResources(HubLabels.HOSTED_CLUSTERS).inAnyNamespace()
                .list().getItems()) {
            try {
                busy |= hostedCluster(hc, now);
            } catch (KubernetesClientException e) {
                LOG.debugf("HostedCluster %s: %s", hc.getMetadata().getName(), e.getMessage());
                busy = true;
            }
        }
        // only the Agents that are reserved now, or that this simulator bound before (to unbind them when released):
        // listing the whole inventory every tick would make large answers for nothing
        var agentOps = client.genericKubernetesResources(HubLabels.AGENTS).inNamespace(inventoryNamespace);
        Map<String, GenericKubernetesResource> agentsByName = new LinkedHashMap<>();
        for (GenericKubernetesResource a : agentOps.withLabel(HubLabels.CLUSTER).list().getItems()) {
            agentsByName.put(a.getMetadata().getName(), a);
        }
        for (String name : new ArrayList<>(bound)) {
            if (!agentsByName.containsKey(name)) {
                GenericKubernetesResource a = agentOps.withName(name).get();
                if (a == null) {
                    bound.remove(name);
                } else {
                    agentsByName.put(name, a);
                }
            }
        }
        List<GenericKubernetesResource> agents = new ArrayList<>(agentsByName.values());
        List<GenericKubernetesResource> pools = client.genericKubernetesResources(HubLabels.NODE_POOLS).inAnyNamespace()
                .list().getItems();
        Map<String, GenericKubernetesResource> poolOfAgent = new HashMap<>();
        for (GenericKubernetesResource np : pools) {
            Map<String, String> selector = matchLabels(np);
            for (GenericKubernetesResource a : agents) {
                if (!selector.isEmpty() && labels(a).entrySet().containsAll(selector.entrySet())) {
                    poolOfAgent.put(a.getMetadata().getName(), np);
                }
            }
        }
        for (GenericKubernetesResource a : agents) {
            try {
                busy |= agent(a, poolOfAgent.get(a.getMetadata().getName()), now);
            } catch (KubernetesClientException e) {
                LOG.debugf("Agent %s: %s", a.getMetadata().getName(), e.getMessage());
                busy = true;
            }
        }
        List<GenericKubernetesResource> fresh = agentOps.withLabel(HubLabels.CLUSTER).list().getItems();
        for (GenericKubernetesResource np : pools) {
            try {
                busy |= nodePool(np, fresh);
            } catch (KubernetesClientException e) {
                LOG.debugf("NodePool %s: %s", np.getMetadata().getName(), e.getMessage());
                busy = true;
            }
        }
        return busy;
    }

    /** True while the control plane is not available yet (its delay is running, or its status was just written). */
    private boolean hostedCluster(GenericKubernetesResource hc, Instant now) {
        if ("True".equals(conditionStatus(hc, "Available"))) {
            return false;
        }
        String key = "hc/" + hc.getMetadata().getNamespace() + "/" + hc.getMetadata().getName();
        Instant seen = firstSeen.computeIfAbsent(key, k -> now);
        if (Duration.between(seen, now).compareTo(controlPlaneDelay) < 0) {
            return true;
        }
        String ns = hc.getMetadata().getNamespace();
        String name = hc.getMetadata().getName();
        Map<String, Object> spec = map(hc.getAdditionalProperties().get("spec"));
        String baseDomain = String.valueOf(map(spec.get("dns")).getOrDefault("baseDomain", "example.com"));
        String image = String.valueOf(map(spec.get("release")).getOrDefault("image", ""));
        String apiHost = "api." + name + "." + baseDomain;
        String kubeconfig = """
                apiVersion: v1
                kind: Config
                clusters:
                  - name: %1$s
                    cluster:
                      server: https://%2$s:6443
                users:
                  - name: admin
                    user:
                      token: %3$s
                contexts:
                  - name: admin
                    context: {cluster: %1$s, user: admin}
                current-context: admin
                """.formatted(name, apiHost, token(32));
        secret(ns, name + "-admin-kubeconfig", "kubeconfig", kubeconfig);
        secret(ns, name + "-kubeadmin-password", "password", token(12) + "-" + token(5));
        Map<String, Object> status = new LinkedHashMap<>();
        String ts = now.truncatedTo(ChronoUnit.SECONDS).toString();
        status.put("conditions", List.of(
                condition("Available", "True", "AsExpected", "The hosted control plane is available", ts),
                condition("Degraded", "False", "AsExpected", "The hosted cluster is not degraded", ts),
                condition("ClusterVersionSucceeding", "True", "FromClusterVersion", "Condition not found in the CVO.", ts),
                condition("ClusterVersionProgressing", "False", "FromClusterVersion", "Cluster version is " + version(image), ts)));
        status.put("controlPlaneEndpoint", Map.of("host", apiHost, "port", 6443));
        status.put("kubeconfig", Map.of("name", name + "-admin-kubeconfig"));
        status.put("kubeadminPassword", Map.of("name", name + "-kubeadmin-password"));
        status.put("version", Map.of("desired", Map.of("image", image, "version", version(image)),
                "observedGeneration", 1, "availableUpdates", List.of(),
                "history", List.of(Map.of("state", "Completed", "version", version(image), "image", image,
                        "startedTime", ts, "completionTime", ts, "verified", false))));
        writeStatus(client.genericKubernetesResources(HubLabels.HOSTED_CLUSTERS).inNamespace(ns), name, status);
        LOG.infof("simulator: HostedCluster %s/%s is available", ns, name);
        return true;
    }

    /** True while a bound Agent waits for its install delay, or when its status was just written. */
    private boolean agent(GenericKubernetesResource a, GenericKubernetesResource pool, Instant now) {
        String key = "agent/" + a.getMetadata().getName();
        boolean bound = pool != null;
        boolean installed = bound && Duration.between(firstSeen.computeIfAbsent(key, k -> now), now)
                .compareTo(nodeDelay) >= 0;
        if (bound) {
            this.bound.add(a.getMetadata().getName());
        } else {
            firstSeen.remove(key);
            if (!"True".equals(conditionStatus(a, "Bound"))) {
                this.bound.remove(a.getMetadata().getName());
            }
        }
        String wantBound = bound ? "True" : "False";
        String wantInstalled = installed ? "True" : "False";
        if (wantBound.equals(conditionStatus(a, "Bound")) && wantInstalled.equals(conditionStatus(a, "Installed"))) {
            return bound && !installed;
        }
        Map<String, Object> status = map(a.getAdditionalProperties().get("status"));
        List<Object> conds = new ArrayList<>();
        String ts = now.truncatedTo(ChronoUnit.SECONDS).toString();
        for (Object o : (List<?>) status.getOrDefault("conditions", List.of())) {
            Map<String, Object> c = map(o);
            if (!"Bound".equals(c.get("type")) && !"Installed".equals(c.get("type"))) {
                conds.add(c);
            }
        }
        conds.add(condition("Bound", wantBound, bound ? "Bound" : "Unbound",
                bound ? "The agent is bound to a cluster" : "The agent is not bound", ts));
        conds.add(condition("Installed", wantInstalled, installed ? "InstallationCompleted" : "InstallationNotStarted",
                installed ? "The installation has completed" : "The installation has not yet started", ts));
        status.put("conditions", conds);
        writeStatus(client.genericKubernetesResources(HubLabels.AGENTS).inNamespace(inventoryNamespace),
                a.getMetadata().getName(), status);
        return true;
    }

    /** True when its status was just written. */
    private boolean nodePool(GenericKubernetesResource np, List<GenericKubernetesResource> agents) {
        Map<String, String> selector = matchLabels(np);
        int wanted = ((Number) map(np.getAdditionalProperties().get("spec")).getOrDefault("replicas", 0)).intValue();
        int installed = 0;
        for (GenericKubernetesResource a : agents) {
            if (!selector.isEmpty() && labels(a).entrySet().containsAll(selector.entrySet())
                    && "True".equals(conditionStatus(a, "Installed"))) {
                installed++;
            }
        }
        int replicas = Math.min(wanted, installed);
        Map<String, Object> status = map(np.getAdditionalProperties().get("status"));
        boolean ready = replicas == wanted;
        if (Objects.equals(status.get("replicas"), replicas) && (ready ? "True" : "False").equals(conditionStatus(np, "Ready"))) {
            return false;
        }
        String ts = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
        Map<String, Object> st = new LinkedHashMap<>();
        st.put("replicas", replicas);
        st.put("conditions", List.of(
                condition("Ready", ready ? "True" : "False", ready ? "AsExpected" : "WaitingForAvailableMachines",
                        replicas + " of " + wanted + " machines are ready", ts),
                condition("AllMachinesReady", ready ? "True" : "False", ready ? "AsExpected" : "WaitingForAvailableMachines",
                        replicas + " of " + wanted + " machines are ready", ts)));
        writeStatus(client.genericKubernetesResources(HubLabels.NODE_POOLS).inNamespace(np.getMetadata().getNamespace()),
                np.getMetadata().getName(), st);
        return true;
    }

    /**
     * Writes only the status, on the object as it is now: the hub changes labels and spec meanwhile (reservations,
     * replicas), and a controller must never write back a stale copy of them.
     */
    private static void writeStatus(
            io.fabric8.kubernetes.client.dsl.NonNamespaceOperation<GenericKubernetesResource, io.fabric8.kubernetes.api.model.GenericKubernetesResourceList, io.fabric8.kubernetes.client.dsl.Resource<GenericKubernetesResource>> op,
            String name, Map<String, Object> status) {
        GenericKubernetesResource current = op.withName(name).get();
        if (current == null) {
            return;
        }
        current.getAdditionalProperties().put("status", status);
        op.resource(current).updateStatus();
    }

    private void secret(String ns, String name, String key, String value) {
        if (client.secrets().inNamespace(ns).withName(name).get() != null) {
            return;
        }
        client.secrets().inNamespace(ns).resource(new SecretBuilder().withNewMetadata().withName(name).withNamespace(ns)
                .endMetadata().addToData(key, Base64.getEncoder().encodeToString(value.getBytes(StandardCharsets.UTF_8)))
                .build()).create();
    }

    @SuppressWarnings("unchecked")
    private static Map<String, String> matchLabels(GenericKubernetesResource np) {
        Map<String, Object> spec = map(np.getAdditionalProperties().get("spec"));
        Map<String, Object> agent = map(map(spec.get("platform")).get("agent"));
        Object ml = map(agent.get("agentLabelSelector")).get("matchLabels");
        return ml instanceof Map<?, ?> m ? (Map<String, String>) m : Map.of();
    }

    private static Map<String, String> labels(GenericKubernetesResource r) {
        return r.getMetadata().getLabels() == null ? Map.of() : r.getMetadata().getLabels();
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> map(Object o) {
        return o instanceof Map<?, ?> m ? (Map<String, Object>) m : new LinkedHashMap<>();
    }

    static String conditionStatus(GenericKubernetesResource r, String type) {
        Object conds = map(r.getAdditionalProperties().get("status")).get("conditions");
        if (conds instanceof List<?> l) {
            for (Object o : l) {
                Map<String, Object> c = map(o);
                if (type.equals(c.get("type"))) {
                    return String.valueOf(c.get("status"));
                }
            }
        }
        return null;
    }

    static Map<String, Object> condition(String type, String status, String reason, String message, String ts) {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("type", type);
        c.put("status", status);
        c.put("reason", reason);
        c.put("message", message);
        c.put("lastTransitionTime", ts);
        return c;
    }

    private static String version(String image) {
        int colon = image.lastIndexOf(':');
        String tag = colon < 0 ? image : image.substring(colon + 1);
        return tag.replaceAll("-x86_64$", "");
    }

    private static String token(int n) {
        String chars = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < n; i++) {
            sb.append(chars.charAt(RANDOM.nextInt(chars.length())));
        }
        return sb.toString();
    }

    @Override
    public void close() {
        running = false;
        for (Watch w : watches) {
            try {
                w.close();
            } catch (RuntimeException e) {
                LOG.debugf("simulator watch close: %s", e.getMessage());
            }
        }
        thread.interrupt();
    }
}
