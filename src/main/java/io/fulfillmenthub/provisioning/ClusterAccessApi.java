package io.fulfillmenthub.provisioning;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.Secret;
import io.fulfillmenthub.clusters.Cluster;
import io.fulfillmenthub.clusters.ClusterApi;
import io.fulfillmenthub.clusters.ClusterOrders;
import io.fulfillmenthub.clusters.ClusterState;
import io.fulfillmenthub.clusters.ClusterStore;
import io.fulfillmenthub.http.Api;
import io.fulfillmenthub.http.ProblemException;
import io.fulfillmenthub.provisioning.hub.HubLabels;
import io.fulfillmenthub.security.Auth;
import io.fulfillmenthub.security.Caller;
import io.fulfillmenthub.security.Role;
import io.fulfillmenthub.store.Db;
import io.fulfillmenthub.store.WorkQueue;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.inject.Named;
import org.apache.camel.Exchange;
import org.jboss.logging.Logger;

/** Credentials of a READY cluster (read from the HostedCluster's secrets) and the SRE's retry of a FAILED one. */
@ApplicationScoped
@Named("clusterAccessApi")
public class ClusterAccessApi {

    private static final Logger LOG = Logger.getLogger(ClusterAccessApi.class);

    @Inject
    Auth auth;
    @Inject
    ClusterApi clusters;
    @Inject
    ManagementHub hub;
    @Inject
    HubSettings settings;
    @Inject
    Db db;

    public void kubeconfig(Exchange ex) {
        String v = secretOf(ex, "kubeconfig", "kubeconfig");
        Api.respond(ex, 200, "application/yaml", v);
    }

    public void password(Exchange ex) {
        String v = secretOf(ex, "kubeadminPassword", "password");
        Api.respond(ex, 200, "text/plain; charset=utf-8", v);
    }

    private String secretOf(Exchange ex, String statusField, String key) {
        Caller caller = auth.require(ex, Role.TENANT_ADMIN);
        Cluster k = clusters.visible(caller, Api.header(ex, "id"));
        if (k.status.state != ClusterState.READY) {
            throw ProblemException.conflict("credentials exist once the cluster is READY; it is " + k.status.state);
        }
        String ns = HubObjects.namespace(settings, k);
        GenericKubernetesResource hc = hub.client().genericKubernetesResources(HubLabels.HOSTED_CLUSTERS).inNamespace(ns)
                .withName(k.metadata.name).get();
        Object name = Provisioner.at(hc, "status", statusField, "name");
        Secret s = name == null ? null : hub.client().secrets().inNamespace(ns).withName(name.toString()).get();
        if (s == null || s.getData() == null || s.getData().get(key) == null) {
            throw ProblemException.conflict("the management hub has not published the " + key + " yet");
        }
        LOG.infof("cluster %s: %s read by %s", k.id, key, caller.subject());
        return new String(Base64.getDecoder().decode(s.getData().get(key)), StandardCharsets.UTF_8);
    }

    /** POST /api/admin/v1/clusters/{id}/retry: a FAILED cluster goes back to PROGRESSING and reconciles from where it stopped. */
    public void retry(Exchange ex) {
        Caller caller = auth.require(ex, Role.SRE);
        String id = Api.header(ex, "id");
        Cluster result = db.tx(c -> {
            Cluster k = ClusterStore.lock(c, id);
            if (k == null) {
                throw ProblemException.notFound("cluster", id);
            }
            if (k.status.state != ClusterState.FAILED) {
                throw ProblemException.conflict("only a FAILED cluster can be retried; it is " + k.status.state);
            }
            Instant now = Provisioner.now();
            k.status.state = ClusterState.PROGRESSING;
            String was = k.status.reason;
            k.status.reason = null;
            k.status.hostsRequestedAt = null;
            k.status.controlPlaneRequestedAt = null;
            k.status.setCondition("Failed", false, "Retried", "retried by " + caller.subject() + " after " + was, now);
            k.status.setCondition("Ready", false, "Provisioning", "the cluster is being provisioned again", now);
            ClusterStore.update(c, k, k.metadata.version);
            WorkQueue.enqueue(c, ClusterOrders.RECONCILE, k.id, Instant.now());
            return k;
        });
        Api.json(ex, 202, result);
    }
}
