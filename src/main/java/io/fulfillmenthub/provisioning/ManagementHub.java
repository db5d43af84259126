package io.fulfillmenthub.provisioning;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fulfillmenthub.embedded.EmbeddedMode;
import io.fulfillmenthub.provisioning.hub.HubClientFactory;
import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.apache.camel.CamelContext;
import org.apache.camel.quarkus.main.events.AfterStop;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * The connection to the management cluster's Kubernetes API. Production: a kubeconfig ({@code HUB_KUBECONFIG}), a URL
 * and token, or the in-cluster service account. With none of them, the embedded mode starts a local API server (with
 * its simulator of the HyperShift and agent controllers) and the very same client code talks to it.
 * <p>
 * The embedded server (its CRDs and demo inventory) is started on a thread of its own as the application starts, so
 * the HTTP server does not wait for it: {@link #client()} waits until it is there, and the readiness check
 * ({@code /q/health/ready}) says DOWN until it is there and the hosts table was synced from it once
 * ({@link #inventorySynced()}).
 */
@ApplicationScoped
public class ManagementHub {

    private static final Logger LOG = Logger.getLogger(ManagementHub.class);

    @Inject
    EmbeddedMode embedded;

    /** How long a caller waits for the management hub while it is still starting. */
    @ConfigProperty(name = "hub.provisioning.start-wait", defaultValue = "PT2M")
    Duration startWait;

    private final CompletableFuture<KubernetesClient> connected = new CompletableFuture<>();
    private final CompletableFuture<Void> firstSync = new CompletableFuture<>();
    private volatile KubernetesClient client;
    private volatile boolean local;
    private volatile Thread starter;
    private boolean shuttingDown;
    private boolean camelStopped;
    private boolean closed;

    @Inject
    CamelContext camel;

    /** First of the start-up observers: a real hub's client is built at once, the embedded one is started aside. */
    void begin(@Observes @Priority(1) StartupEvent ev) {
        connect();
    }

    synchronized void connect() {
        if (client != null || starter != null || connected.isDone()) {
            return;
        }
        Optional<KubernetesClient> real = HubClientFactory.fromEnvironment();
        if (real.isPresent()) {
            client = real.get();
            connected.complete(client);
            LOG.infof("Management hub: %s", client.getMasterUrl());
            return;
        }
        local = true;
        Thread t = new Thread(() -> {
            try {
                client = embedded.start();
                connected.complete(client);
            } catch (Throwable e) {
                LOG.error("The embedded management hub did not start; the hub stops", e);
                connected.completeExceptionally(e);
                firstSync.completeExceptionally(e);
                Quarkus.asyncExit(1);
            }
        }, "embedded-hub-start");
        t.setDaemon(true);
        starter = t;
        t.start();
    }

    /** The client; while the embedded hub is still starting, waits for it (at most {@code hub.provisioning.start-wait}). */
    public KubernetesClient client() {
        KubernetesClient c = client;
        if (c != null) {
            return c;
        }
        connect(); // used before start-up observers ran (a bean touched early): same start, once
        return await(connected, "the management hub is still starting");
    }

    /** True once the client can be used without waiting. */
    public boolean isConnected() {
        return client != null;
    }

    /** True when the hub runs against its own embedded API server. */
    public boolean isLocal() {
        connect();
        return local;
    }

    /** Called by {@link HubWatch} once its first inventory sync ended (whether it succeeded or not). */
    public void markInventorySynced() {
        firstSync.complete(null);
    }

    /** True once the hosts table was synced from the hub once since start. */
    public boolean inventorySynced() {
        return firstSync.isDone() && !firstSync.isCompletedExceptionally();
    }

    /** Waits until the hosts table was synced from the hub once since start (reads of it must not see it empty). */
    public void awaitInventorySynced() {
        if (!firstSync.isDone()) {
            await(firstSync, "the inventory is still being read from the management hub");
        }
    }

    /** Why the hub is not usable (start failed), or null. */
    public String failure() {
        if (connected.isCompletedExceptionally()) {
            try {
                connected.join();
            } catch (RuntimeException e) {
                Throwable c = e.getCause() == null ? e : e.getCause();
                return String.valueOf(c.getMessage());
            }
        }
        return null;
    }

    private <T> T await(CompletableFuture<T> f, String what) {
        try {
            return f.get(startWait.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(what + " (interrupted)", e);
        } catch (TimeoutException e) {
            throw new IllegalStateException(what + " after " + startWait, e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("the management hub did not start: " + e.getCause().getMessage(), e.getCause());
        }
    }

    /**
     * Quarkus' shutdown event comes before Camel stops, and Camel's routes (the reconcile, the inventory sync) call
     * the management hub until they have stopped: the client is closed once both have happened, so no pass that is
     * still running finds it closed under it. Without Camel running (it failed to start, or stopped first) at once.
     */
    void stop(@Observes ShutdownEvent ev) {
        Thread t = starter;
        if (t != null) {
            try {
                t.join(30_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        boolean now;
        synchronized (this) {
            shuttingDown = true;
            now = camelStopped || !camel.getStatus().isStarted();
        }
        LOG.debugf("shutting down; the management hub's client closes %s", now ? "now" : "once Camel has stopped");
        if (now) {
            close();
        }
    }

    void afterCamel(@Observes AfterStop ev) {
        boolean now;
        synchronized (this) {
            camelStopped = true;
            now = shuttingDown;
        }
        LOG.debugf("Camel stopped; the management hub's client closes %s", now ? "now" : "at shutdown");
        if (now) {
            close();
        }
    }

    private void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        if (client != null) {
            client.close();
        }
        if (local) {
            embedded.stop();
        }
    }
}
