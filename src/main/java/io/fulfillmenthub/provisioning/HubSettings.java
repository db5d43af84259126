package io.fulfillmenthub.provisioning;

import java.time.Duration;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** How the hub provisions on the management cluster. Every key can be set by environment (HUB_PROVISIONING_...). */
@ConfigMapping(prefix = "hub.provisioning")
public interface HubSettings {

    /** Namespace of the Agents and BareMetalHosts (HUB_INVENTORY_NAMESPACE). */
    @WithDefault("${HUB_INVENTORY_NAMESPACE:hardware-inventory}")
    String inventoryNamespace();

    /** Prefix of the per-cluster namespaces: {@code <prefix>-<cluster id>}. */
    @WithDefault("fh")
    String namespacePrefix();

    /** DNS base domain of the hosted clusters (API and console URLs). */
    @WithDefault("clusters.example.com")
    String baseDomain();

    /** Pull secret (a dockerconfigjson document) given to every hosted cluster (HUB_PULL_SECRET). */
    @WithDefault("{\"auths\":{}}")
    String pullSecret();

    /** How long an order may wait for hosts before it fails with InsufficientCapacity. */
    @WithDefault("PT0S")
    Duration capacityWait();

    /** How long the control plane may take to become available before ControlPlaneTimeout. */
    @WithDefault("PT30M")
    Duration controlPlaneTimeout();

    /** How long workers may take to join once the control plane is up, before the cluster is marked Degraded. */
    @WithDefault("PT30M")
    Duration workersTimeout();

    /** How long before expiry the {@code cluster.expiring} notice goes out. */
    @WithDefault("PT24H")
    Duration expiryNoticeLead();

    /** Every non-terminal cluster is reconciled at least this often (a safety net under the watches). */
    @WithDefault("PT30S")
    Duration resync();

    /** Inventory resync period. */
    @WithDefault("PT30S")
    Duration inventoryResync();
}
