package io.fulfillmenthub.provisioning;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fulfillmenthub.clusters.Cluster;
import io.fulfillmenthub.provisioning.hub.HubLabels;

/**
 * The objects the hub creates on the management cluster, with the real groups, kinds and fields of HyperShift's
 * v1beta1 API (tests validate them against the published CRD schemas). Names are deterministic, so creating them
 * again after a crash finds the existing object instead of making a duplicate.
 */
public final class HubObjects {

    public static final String PULL_SECRET = "pull-secret";

    private HubObjects() {
    }

    public static String namespace(HubSettings s, Cluster k) {
        return s.namespacePrefix() + "-" + k.id;
    }

    public static String nodePoolName(Cluster k, String nodeSet) {
        return k.metadata.name + "-" + nodeSet;
    }

    public static Map<String, String> ownerLabels(Cluster k) {
        Map<String, String> l = new LinkedHashMap<>();
        l.put(HubLabels.CLUSTER, k.id);
        l.put("app.kubernetes.io/managed-by", "fulfillment-hub");
        return l;
    }

    public static Namespace namespaceObject(HubSettings s, Cluster k) {
        return new NamespaceBuilder().withNewMetadata().withName(namespace(s, k)).withLabels(ownerLabels(k))
                .addToLabels("hub.fulfillment.io/tenant", k.metadata.tenant).endMetadata().build();
    }

    public static Secret pullSecret(HubSettings s, Cluster k) {
        return new SecretBuilder().withNewMetadata().withName(PULL_SECRET).withNamespace(namespace(s, k))
                .withLabels(ownerLabels(k)).endMetadata()
                .withType("kubernetes.io/dockerconfigjson")
                .addToData(".dockerconfigjson",
                        Base64.getEncoder().encodeToString(s.pullSecret().getBytes(StandardCharsets.UTF_8)))
                .build();
    }

    public static GenericKubernetesResource hostedCluster(HubSettings s, Cluster k, String releaseImage) {
        Map<String, Object> spec = new LinkedHashMap<>();
        spec.put("release", Map.of("image", releaseImage));
        spec.put("pullSecret", Map.of("name", PULL_SECRET));
        spec.put("infraID", k.metadata.name + "-" + k.id.substring(0, 8));
        spec.put("networking", Map.of(
                "clusterNetwork", List.of(Map.of("cidr", "10.132.0.0/14")),
                "serviceNetwork", List.of(Map.of("cidr", "172.31.0.0/16")),
                "networkType", "OVNKubernetes"));
        spec.put("platform", Map.of("type", "Agent", "agent", Map.of("agentNamespace", s.inventoryNamespace())));
        spec.put("dns", Map.of("baseDomain", s.baseDomain()));
        spec.put("services", List.of(
                service("APIServer", "LoadBalancer"),
                service("OAuthServer", "Route"),
                service("Konnectivity", "Route"),
                service("Ignition", "Route")));
        spec.put("etcd", Map.of("managementType", "Managed"));
        spec.put("controllerAvailabilityPolicy", "SingleReplica");
        return new GenericKubernetesResourceBuilder()
                .withApiVersion(HubLabels.apiVersion(HubLabels.HOSTED_CLUSTERS))
                .withKind(HubLabels.HOSTED_CLUSTER_KIND)
                .withNewMetadata().withName(k.metadata.name).withNamespace(namespace(s, k)).withLabels(ownerLabels(k))
                .endMetadata()
                .withAdditionalProperties(Map.of("spec", spec))
                .build();
    }

    private static Map<String, Object> service(String name, String strategy) {
        return Map.of("service", name, "servicePublishingStrategy", Map.of("type", strategy));
    }

    public static GenericKubernetesResource nodePool(HubSettings s, Cluster k, String nodeSet, int replicas,
            String releaseImage) {
        Map<String, Object> spec = new LinkedHashMap<>();
        spec.put("clusterName", k.metadata.name);
        spec.put("replicas", replicas);
        spec.put("release", Map.of("image", releaseImage));
        spec.put("management", Map.of("upgradeType", "InPlace", "autoRepair", false));
        spec.put("platform", Map.of("type", "Agent", "agent", Map.of("agentLabelSelector",
                Map.of("matchLabels", reservationLabels(k.id, nodeSet)))));
        Map<String, String> labels = ownerLabels(k);
        labels.put(HubLabels.NODE_SET, nodeSet);
        return new GenericKubernetesResourceBuilder()
                .withApiVersion(HubLabels.apiVersion(HubLabels.NODE_POOLS))
                .withKind(HubLabels.NODE_POOL_KIND)
                .withNewMetadata().withName(nodePoolName(k, nodeSet)).withNamespace(namespace(s, k)).withLabels(labels)
                .endMetadata()
                .withAdditionalProperties(Map.of("spec", spec))
                .build();
    }

    /** The labels an Agent carries while reserved for a node set of a cluster (the NodePool selects on them). */
    public static Map<String, String> reservationLabels(String clusterId, String nodeSet) {
        Map<String, String> l = new LinkedHashMap<>();
        l.put(HubLabels.CLUSTER, clusterId);
        l.put(HubLabels.NODE_SET, nodeSet);
        return l;
    }
}
