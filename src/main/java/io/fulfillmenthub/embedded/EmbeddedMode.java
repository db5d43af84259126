package io.fulfillmenthub.embedded;

import java.net.InetAddress;
import java.util.HashMap;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.CustomResourceDefinitionContext;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fulfillmenthub.provisioning.hub.HubLabels;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

/** Starts the embedded management hub when no real one is configured (temporary: API server only). */
@ApplicationScoped
public class EmbeddedMode {

    private static final Logger LOG = Logger.getLogger(EmbeddedMode.class);
    private KubernetesMockServer server;

    public synchronized KubernetesClient start() {
        server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(), true);
        try {
            server.init(InetAddress.getLoopbackAddress(), 0);
        } catch (RuntimeException e) {
            throw e;
        }
        for (var ctx : HubLabels.ALL) {
            server.expectCustomResource(new CustomResourceDefinitionContext.Builder().withGroup(ctx.getGroup())
                    .withVersion(ctx.getVersion()).withKind(ctx.getKind()).withPlural(ctx.getPlural())
                    .withScope(ctx.isNamespaceScoped() ? "Namespaced" : "Cluster").build());
        }
        KubernetesClient client = server.createClient();
        LOG.infof("Embedded management hub at %s", client.getMasterUrl());
        return client;
    }

    public synchronized void stop() {
        if (server != null) {
            server.destroy();
        }
    }
}
