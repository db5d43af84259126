package io.fulfillmenthub.embedded;

import java.util.Map;

import io.fabric8.kubernetes.client.KubernetesClient;

/** Test access to the demo inventory. */
public final class DemoInventoryAccess {
    private DemoInventoryAccess() {
    }

    public static int seed(KubernetesClient client, String ns, Map<String, Integer> perClass) {
        return DemoInventory.seed(client, ns, perClass);
    }
}
