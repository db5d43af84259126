package io.fulfillmenthub.provisioning.hub;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;

/** Agents are listed page by page, following the API server's continue tokens to the end. */
class HubListsTest {

    @Test
    void followsContinueTokensAcrossPages() throws Exception {
        try (FakeApiServer api = new FakeApiServer(t -> FakeApiServer.Answer.full(
                t.contains("continue=p3") ? FakeApiServer.agentList(null, "e")
                        : t.contains("continue=p2") ? FakeApiServer.agentList("p3", "c", "d")
                                : FakeApiServer.agentList("p2", "a", "b")));
                KubernetesClient client = api.client(5_000)) {
            List<GenericKubernetesResource> all = HubLists.all(client.genericKubernetesResources(HubLabels.AGENTS)
                    .inNamespace("hardware-inventory").withLabel(HubLabels.HOST_CLASS, "cpu-standard"), 2);
            assertEquals(List.of("a", "b", "c", "d", "e"), all.stream().map(a -> a.getMetadata().getName()).toList());
            assertEquals(3, api.targets.size());
            for (String t : api.targets) {
                assertTrue(t.contains("limit=2") && t.contains("labelSelector="), t);
            }
        }
    }

    @Test
    void anExpiredContinueTokenStartsTheListAgain() throws Exception {
        AtomicInteger secondPages = new AtomicInteger();
        try (FakeApiServer api = new FakeApiServer(t -> !t.contains("continue=")
                ? FakeApiServer.Answer.full(FakeApiServer.agentList("p2", "a", "b"))
                : secondPages.incrementAndGet() == 1 ? FakeApiServer.Answer.status(410, "Expired")
                        : FakeApiServer.Answer.full(FakeApiServer.agentList(null, "c")));
                KubernetesClient client = api.client(5_000)) {
            List<GenericKubernetesResource> all = HubLists.all(client.genericKubernetesResources(HubLabels.AGENTS)
                    .inNamespace("hardware-inventory"), 2);
            assertEquals(List.of("a", "b", "c"), all.stream().map(a -> a.getMetadata().getName()).toList(),
                    "one snapshot, nothing twice");
            assertEquals(4, api.targets.size(), "first page, expired second page, first page again, second page");
        }
    }

    @Test
    void aServerThatDoesNotPageAnswersInOneCall() throws Exception {
        try (FakeApiServer api = new FakeApiServer(t -> FakeApiServer.Answer.full(FakeApiServer.agentList(null, "a", "b", "c")));
                KubernetesClient client = api.client(5_000)) {
            assertEquals(3, HubLists.all(client.genericKubernetesResources(HubLabels.AGENTS)
                    .inNamespace("hardware-inventory")).size());
            assertEquals(1, api.targets.size());
        }
    }
}
