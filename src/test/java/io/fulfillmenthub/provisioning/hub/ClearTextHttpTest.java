package io.fulfillmenthub.provisioning.hub;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fulfillmenthub.provisioning.hub.FakeApiServer.Answer;
import org.junit.jupiter.api.Test;

class ClearTextHttpTest {

    /**
     * On plain HTTP (the embedded management hub) a hub client asks for no HTTP/2 upgrade: the JDK client's h2c upgrade
     * raced with calls made at the same time and read a body as HTTP/2 frames now and then (BENCHMARKS.md, session 7).
     */
    @Test
    void aClientOfAServerOnPlainHttpStaysOnHttp11() throws Exception {
        try (FakeApiServer api = new FakeApiServer(t -> Answer.full(FakeApiServer.agentList(null, "a1")));
                KubernetesClient client = api.client(5_000)) {
            for (int i = 0; i < 3; i++) {
                assertEquals(1, client.genericKubernetesResources(HubLabels.AGENTS).inNamespace("hardware-inventory")
                        .list().getItems().size());
            }
            assertEquals(3, api.targets.size());
            assertEquals(List.of(), api.upgrades, "upgrade asked for");
        }
    }
}
