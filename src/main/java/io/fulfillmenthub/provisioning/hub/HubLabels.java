package io.fulfillmenthub.provisioning.hub;

import java.util.List;

import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;

/**
 * Names on the management hub: the hub's own labels, the platform's link labels, and the API group, version, kind and
 * plural of every custom resource the hub drives. The {@link ResourceDefinitionContext}s are meant for
 * {@code client.genericKubernetesResources(ctx)}, so the hub needs no generated model classes and the same code works
 * against a real ACM/HyperShift hub and against the embedded one.
 */
public final class HubLabels {

    /** Prefix of every label and annotation the hub owns. */
    public static final String PREFIX = "hub.fulfillment.io/";
    /** Host class of an Agent or BareMetalHost, e.g. {@code gpu-a100}. */
    public static final String HOST_CLASS = PREFIX + "host-class";
    /** Reservation: the id of the cluster an Agent is reserved for. Absent when the host is free. */
    public static final String CLUSTER = PREFIX + "cluster";
    /** Reservation: the node set (one NodePool per node set) an Agent is reserved for. */
    public static final String NODE_SET = PREFIX + "node-set";

    /** Set by the platform on an Agent: the name of its BareMetalHost (same namespace). */
    public static final String AGENT_BMH = "agent-install.openshift.io/bmh";

    public static final String HYPERSHIFT_GROUP = "hypershift.openshift.io";
    public static final String HYPERSHIFT_VERSION = "v1beta1";
    public static final String AGENT_GROUP = "agent-install.openshift.io";
    public static final String AGENT_VERSION = "v1beta1";
    public static final String METAL3_GROUP = "metal3.io";
    public static final String METAL3_VERSION = "v1alpha1";
    public static final String WORK_GROUP = "work.open-cluster-management.io";
    public static final String WORK_VERSION = "v1";
    public static final String CLUSTER_GROUP = "cluster.open-cluster-management.io";
    public static final String CLUSTER_VERSION = "v1";

    public static final String HOSTED_CLUSTER_KIND = "HostedCluster";
    public static final String NODE_POOL_KIND = "NodePool";
    public static final String AGENT_KIND = "Agent";
    public static final String BARE_METAL_HOST_KIND = "BareMetalHost";
    public static final String MANIFEST_WORK_KIND = "ManifestWork";
    public static final String MANAGED_CLUSTER_KIND = "ManagedCluster";

    /** {@code hypershift.openshift.io/v1beta1 HostedCluster}, namespaced. */
    public static final ResourceDefinitionContext HOSTED_CLUSTERS =
            context(HYPERSHIFT_GROUP, HYPERSHIFT_VERSION, HOSTED_CLUSTER_KIND, "hostedclusters", true);
    /** {@code hypershift.openshift.io/v1beta1 NodePool}, namespaced (same namespace as its HostedCluster). */
    public static final ResourceDefinitionContext NODE_POOLS =
            context(HYPERSHIFT_GROUP, HYPERSHIFT_VERSION, NODE_POOL_KIND, "nodepools", true);
    /** {@code agent-install.openshift.io/v1beta1 Agent}, namespaced (the hardware inventory namespace). */
    public static final ResourceDefinitionContext AGENTS =
            context(AGENT_GROUP, AGENT_VERSION, AGENT_KIND, "agents", true);
    /** {@code metal3.io/v1alpha1 BareMetalHost}, namespaced. */
    public static final ResourceDefinitionContext BARE_METAL_HOSTS =
            context(METAL3_GROUP, METAL3_VERSION, BARE_METAL_HOST_KIND, "baremetalhosts", true);
    /** {@code work.open-cluster-management.io/v1 ManifestWork}, namespaced (the managed cluster's namespace). */
    public static final ResourceDefinitionContext MANIFEST_WORKS =
            context(WORK_GROUP, WORK_VERSION, MANIFEST_WORK_KIND, "manifestworks", true);
    /** {@code cluster.open-cluster-management.io/v1 ManagedCluster}, cluster-scoped. */
    public static final ResourceDefinitionContext MANAGED_CLUSTERS =
            context(CLUSTER_GROUP, CLUSTER_VERSION, MANAGED_CLUSTER_KIND, "managedclusters", false);

    /** Every custom resource kind above. */
    public static final List<ResourceDefinitionContext> ALL =
            List.of(HOSTED_CLUSTERS, NODE_POOLS, AGENTS, BARE_METAL_HOSTS, MANIFEST_WORKS, MANAGED_CLUSTERS);

    private HubLabels() {
    }

    /** {@code group/version} of a context, as written in an object's {@code apiVersion}. */
    public static String apiVersion(ResourceDefinitionContext ctx) {
        return ctx.getGroup() == null || ctx.getGroup().isEmpty()
                ? ctx.getVersion()
                : ctx.getGroup() + "/" + ctx.getVersion();
    }

    private static ResourceDefinitionContext context(String group, String version, String kind, String plural,
            boolean namespaced) {
        return new ResourceDefinitionContext.Builder()
                .withGroup(group)
                .withVersion(version)
                .withKind(kind)
                .withPlural(plural)
                .withNamespaced(namespaced)
                .build();
    }
}
