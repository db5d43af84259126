package io.fulfillmenthub.embedded;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Map;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fulfillmenthub.provisioning.hub.HubLabels;
import org.junit.jupiter.api.Test;

class HyperShiftSimulatorTest {

    @Test
    void waitsForChangesWhenIdleAndActsOnThemAtOnce() throws Exception {
        try (LocalHub hub = LocalHub.start(0);
                var client = hub.newClient()) {
            DemoInventory.seed(hub.client(), "hardware-inventory", Map.of("cpu-standard", 2));
            // a 50 ms pace while something is in progress, a minute when nothing is
            HyperShiftSimulator sim = new HyperShiftSimulator(client, "hardware-inventory", Duration.ZERO,
                    Duration.ZERO, Duration.ofMillis(50), Duration.ofMinutes(1)).start();
            try {
                Thread.sleep(1500);
                long idleSteps = sim.steps();
                // polling at its 50 ms pace would have taken ~30 steps
                assertTrue(idleSteps <= 3, "an idle simulator stepped " + idleSteps + " times in 1.5 s");

                var hcs = hub.client().genericKubernetesResources(HubLabels.HOSTED_CLUSTERS).inNamespace("clusters");
                GenericKubernetesResource hc = new GenericKubernetesResource();
                hc.setApiVersion("hypershift.openshift.io/v1beta1");
                hc.setKind("HostedCluster");
                hc.setMetadata(new ObjectMetaBuilder().withName("sim-wakes").withNamespace("clusters").build());
                hc.setAdditionalProperty("spec", Map.of("release", Map.of("image", "quay.io/openshift-release-dev/ocp-release:4.17.3-x86_64")));
                hcs.resource(hc).create();
                // the watch wakes it: available long before the one-minute idle step
                await().atMost(Duration.ofSeconds(10)).until(() -> "True".equals(
                        HyperShiftSimulator.conditionStatus(hcs.withName("sim-wakes").get(), "Available")));
                long after = sim.steps();
                Thread.sleep(1500);
                assertTrue(sim.steps() - after <= 3, "stepped " + (sim.steps() - after) + " times once idle again");
            } finally {
                sim.close();
            }
        }
    }
}
