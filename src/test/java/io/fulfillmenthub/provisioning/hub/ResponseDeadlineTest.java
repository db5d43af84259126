package io.fulfillmenthub.provisioning.hub;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.http.StandardHttpRequest;

/**
 * An API server that sends the headers of a list answer and then stops sending its body must not hold the hub's
 * caller forever: the call fails once the deadline has passed, and the next call works again.
 */
class ResponseDeadlineTest {

    private static final String ONE_AGENT = FakeApiServer.agentList(null, "cpu-standard-01");

    @Test
    void aBodyThatStopsFlowingFailsTheCallAtTheDeadlineAndTheNextCallWorks() throws Exception {
        AtomicInteger n = new AtomicInteger();
        try (FakeApiServer api = new FakeApiServer(t -> new FakeApiServer.Answer(ONE_AGENT, n.incrementAndGet() == 1));
                KubernetesClient client = api.client(1_000)) {
            long t0 = System.nanoTime();
            RuntimeException e = assertTimeoutPreemptively(Duration.ofSeconds(20), () -> assertThrows(RuntimeException.class,
                    () -> client.genericKubernetesResources(HubLabels.AGENTS).inNamespace("hardware-inventory").list()));
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertTrue(ms >= 900, "failed only after the deadline, took " + ms + " ms: " + e);

            var items = assertTimeoutPreemptively(Duration.ofSeconds(20),
                    () -> client.genericKubernetesResources(HubLabels.AGENTS).inNamespace("hardware-inventory").list()
                            .getItems());
            assertEquals(1, items.size());
            assertEquals("cpu-standard-01", items.get(0).getMetadata().getName());
        }
    }

    @Test
    void noHeadersWithinTheRequestTimeoutFailsTheCall() throws Exception {
        AtomicInteger n = new AtomicInteger();
        try (FakeApiServer api = new FakeApiServer(t -> n.incrementAndGet() == 1 ? null : FakeApiServer.Answer.full(ONE_AGENT));
                KubernetesClient client = api.client(1_000)) {
            long t0 = System.nanoTime();
            assertTimeoutPreemptively(Duration.ofSeconds(20), () -> assertThrows(RuntimeException.class,
                    () -> client.genericKubernetesResources(HubLabels.AGENTS).inNamespace("hardware-inventory").list()));
            assertTrue((System.nanoTime() - t0) / 1_000_000 >= 900);
            assertEquals(1, client.genericKubernetesResources(HubLabels.AGENTS).inNamespace("hardware-inventory").list()
                    .getItems().size());
        }
    }

    @Test
    void answersThatFinishInTimeAreUntouched() throws Exception {
        try (FakeApiServer api = new FakeApiServer(t -> FakeApiServer.Answer.full(ONE_AGENT));
                KubernetesClient client = api.client(1_000)) {
            for (int i = 0; i < 3; i++) {
                assertEquals(1, client.genericKubernetesResources(HubLabels.AGENTS).inNamespace("hardware-inventory")
                        .list().getItems().size());
                Thread.sleep(1_200); // past the deadline of the previous answer: its timer must not cut anything
            }
            assertEquals(3, api.targets.size());
        }
    }

    @Test
    void watchesAreNotCut() {
        var b = new StandardHttpRequest.Builder();
        assertTrue(ResponseDeadline.isStream(b.uri("http://h/apis/x/v1/agents?watch=true&resourceVersion=1").build()));
        assertFalse(ResponseDeadline.isStream(b.uri("http://h/apis/x/v1/agents?labelSelector=a%3Db").build()));
        assertThrows(IllegalArgumentException.class, () -> new ResponseDeadline(Duration.ZERO));
    }
}
