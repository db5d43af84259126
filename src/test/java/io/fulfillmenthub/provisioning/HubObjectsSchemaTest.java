package io.fulfillmenthub.provisioning;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fulfillmenthub.clusters.Cluster;
import io.fulfillmenthub.embedded.DemoInventoryAccess;
import io.fulfillmenthub.embedded.LocalHubAccess;
import io.fulfillmenthub.provisioning.hub.HubLabels;
import io.fulfillmenthub.testsupport.CrdSchemas;
import org.junit.jupiter.api.Test;

/** Everything the hub (and the embedded hub's simulator) writes is valid against the real CRD schemas. */
class HubObjectsSchemaTest {

    static final HubSettings SETTINGS = new HubSettings() {
        public String inventoryNamespace() { return "hardware-inventory"; }
        public String namespacePrefix() { return "fh"; }
        public String baseDomain() { return "clusters.example.com"; }
        public String pullSecret() { return "{\"auths\":{}}"; }
        public Duration capacityWait() { return Duration.ZERO; }
        public Duration controlPlaneTimeout() { return Duration.ofMinutes(30); }
        public Duration workersTimeout() { return Duration.ofMinutes(30); }
        public Duration expiryNoticeLead() { return Duration.ofHours(24); }
        public Duration resync() { return Duration.ofSeconds(30); }
        public Duration inventoryResync() { return Duration.ofSeconds(30); }
    };

    static Cluster cluster() {
        Cluster k = new Cluster();
        k.id = "0f8fad5b-d9cb-469f-a165-70867728950e";
        k.metadata.name = "demo1";
        k.metadata.tenant = "demo";
        return k;
    }

    @Test
    void hostedClusterAndNodePoolAreValid() {
        CrdSchemas crds = CrdSchemas.load();
        crds.assertValid(HubObjects.hostedCluster(SETTINGS, cluster(), "quay.io/openshift-release-dev/ocp-release:4.17.9-x86_64"));
        crds.assertValid(HubObjects.nodePool(SETTINGS, cluster(), "workers", 3, "quay.io/openshift-release-dev/ocp-release:4.17.9-x86_64"));
    }

    @Test
    void theValidatorRefusesWhatARealHubWould() {
        CrdSchemas crds = CrdSchemas.load();
        GenericKubernetesResource hc = HubObjects.hostedCluster(SETTINGS, cluster(), "img");
        @SuppressWarnings("unchecked")
        Map<String, Object> spec = (Map<String, Object>) hc.getAdditionalProperties().get("spec");
        spec.remove("pullSecret");
        assertFalse(crds.violations(hc).isEmpty(), "missing pullSecret must be refused");
        GenericKubernetesResource np = HubObjects.nodePool(SETTINGS, cluster(), "workers", 1, "img");
        @SuppressWarnings("unchecked")
        Map<String, Object> npSpec = (Map<String, Object>) np.getAdditionalProperties().get("spec");
        npSpec.put("management", Map.of("upgradeType", "Sometimes"));
        assertFalse(crds.violations(np).isEmpty(), "an unknown upgradeType must be refused");
    }

    @Test
    void embeddedHubObjectsAreValidToo() throws Exception {
        CrdSchemas crds = CrdSchemas.load();
        try (var hub = LocalHubAccess.start()) {
            KubernetesClient client = hub.client();
            DemoInventoryAccess.seed(client, "hardware-inventory", Map.of("cpu-standard", 2));
            for (GenericKubernetesResource a : client.genericKubernetesResources(HubLabels.AGENTS)
                    .inNamespace("hardware-inventory").list().getItems()) {
                crds.assertValid(a);
            }
            for (GenericKubernetesResource b : client.genericKubernetesResources(HubLabels.BARE_METAL_HOSTS)
                    .inNamespace("hardware-inventory").list().getItems()) {
                crds.assertValid(b);
            }
            // a HostedCluster with the status the simulator writes
            Cluster k = cluster();
            client.namespaces().resource(HubObjects.namespaceObject(SETTINGS, k)).create();
            var hcs = client.genericKubernetesResources(HubLabels.HOSTED_CLUSTERS).inNamespace("fh-" + k.id);
            hcs.resource(HubObjects.hostedCluster(SETTINGS, k, "quay.io/openshift-release-dev/ocp-release:4.17.9-x86_64")).create();
            var nps = client.genericKubernetesResources(HubLabels.NODE_POOLS).inNamespace("fh-" + k.id);
            nps.resource(HubObjects.nodePool(SETTINGS, k, "workers", 1, "quay.io/openshift-release-dev/ocp-release:4.17.9-x86_64")).create();
            var sim = LocalHubAccess.simulator(client);
            sim.step();
            GenericKubernetesResource hc = hcs.withName("demo1").get();
            assertTrue(hc.getAdditionalProperties().containsKey("status"));
            crds.assertValid(hc);
            crds.assertValid(nps.withName("demo1-workers").get());
            List<String> none = crds.violations(nps.withName("demo1-workers").get());
            assertTrue(none.isEmpty(), none.toString());
        }
    }
}
