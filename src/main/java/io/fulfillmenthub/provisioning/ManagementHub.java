package io.fulfillmenthub.provisioning;

import java.util.Optional;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fulfillmenthub.embedded.EmbeddedMode;
import io.fulfillmenthub.provisioning.hub.HubClientFactory;
import io.quarkus.runtime.ShutdownEvent;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

/**
 * The connection to the management cluster's Kubernetes API. Production: a kubeconfig ({@code HUB_KUBECONFIG}), a URL
 * and token, or the in-cluster service account. With none of them, the embedded mode starts a local API server (with
 * its simulator of the HyperShift and agent controllers) and the very same client code talks to it.
 */
@ApplicationScoped
public class ManagementHub {

    private static final Logger LOG = Logger.getLogger(ManagementHub.class);

    @Inject
    EmbeddedMode embedded;

    private KubernetesClient client;
    private boolean local;

    @PostConstruct
    void connect() {
        Optional<KubernetesClient> real = HubClientFactory.fromEnvironment();
        if (real.isPresent()) {
            client = real.get();
            LOG.infof("Management hub: %s", client.getMasterUrl());
        } else {
            client = embedded.start();
            local = true;
        }
    }

    public KubernetesClient client() {
        return client;
    }

    /** True when the hub runs against its own embedded API server. */
    public boolean isLocal() {
        return local;
    }

    void stop(@Observes ShutdownEvent ev) {
        if (client != null) {
            client.close();
        }
        if (local) {
            embedded.stop();
        }
    }
}
