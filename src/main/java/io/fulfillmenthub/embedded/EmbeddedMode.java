package io.fulfillmenthub.embedded;

import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

import io.fabric8.kubernetes.client.KubernetesClient;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * The embedded management hub, started only when no real one is configured: a local Kubernetes API server with the
 * CRDs, a demo inventory and the HyperShift/agent simulator, and a kubeconfig in the data directory so kubectl can
 * watch what the hub does. The hub's own code talks to it exactly as to a real management cluster.
 */
@ApplicationScoped
public class EmbeddedMode {

    private static final Logger LOG = Logger.getLogger(EmbeddedMode.class);

    @ConfigProperty(name = "hub.data-dir", defaultValue = "data")
    Path dataDir;
    @ConfigProperty(name = "hub.provisioning.inventory-namespace", defaultValue = "hardware-inventory")
    String inventoryNamespace;
    @ConfigProperty(name = "hub.embedded.port", defaultValue = "0")
    int port;
    @ConfigProperty(name = "hub.embedded.inventory", defaultValue = "cpu-standard=12,gpu-a100=6,cpu-highmem=8")
    String inventory;
    @ConfigProperty(name = "hub.embedded.control-plane-delay", defaultValue = "PT3S")
    Duration controlPlaneDelay;
    @ConfigProperty(name = "hub.embedded.node-delay", defaultValue = "PT1S")
    Duration nodeDelay;
    @ConfigProperty(name = "hub.embedded.simulator-tick", defaultValue = "PT0.2S")
    Duration tick;
    /** How often the simulator looks again when nothing is in progress and no watch event woke it. */
    @ConfigProperty(name = "hub.embedded.simulator-idle-tick", defaultValue = "PT10S")
    Duration idleTick;

    private LocalHub hub;
    private HyperShiftSimulator simulator;
    private KubernetesClient simulatorClient;
    private KubernetesClient hubClient;
    private final java.util.concurrent.CountDownLatch started = new java.util.concurrent.CountDownLatch(1);

    public synchronized KubernetesClient start() {
        hub = LocalHub.start(port);
        int hosts = DemoInventory.seed(hub.client(), inventoryNamespace, parse(inventory));
        simulatorClient = hub.newClient();
        simulator = new HyperShiftSimulator(simulatorClient, inventoryNamespace, controlPlaneDelay, nodeDelay, tick, idleTick)
                .start();
        Path kubeconfig = hub.writeKubeconfig(dataDir.resolve("hub-kubeconfig.yaml"));
        LOG.infof("Embedded management hub at %s with %d demo hosts (%s); kubectl --kubeconfig %s get hostedclusters -A",
                hub.url(), hosts, inventory, kubeconfig.toAbsolutePath());
        hubClient = hub.newClient();
        started.countDown();
        return hubClient;
    }

    /** The running local API server; null when a real hub is configured. */
    synchronized LocalHub localHub() {
        return hub;
    }

    /** The simulator; waits while the embedded hub is still starting (it starts beside the application's start-up). */
    public HyperShiftSimulator simulator() {
        try {
            started.await(2, java.util.concurrent.TimeUnit.MINUTES);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return simulator;
    }

    public synchronized void stop() {
        if (simulator != null) {
            simulator.close();
            simulatorClient.close();
        }
        if (hub != null) {
            hub.close();
        }
    }

    static Map<String, Integer> parse(String spec) {
        Map<String, Integer> out = new LinkedHashMap<>();
        for (String part : spec.split(",")) {
            String[] kv = part.trim().split("=");
            if (kv.length == 2) {
                out.put(kv[0].trim(), Integer.parseInt(kv[1].trim()));
            }
        }
        return out;
    }
}
