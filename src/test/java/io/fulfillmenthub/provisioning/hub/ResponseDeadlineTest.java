package io.fulfillmenthub.provisioning.hub;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
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

    /**
     * A hub that stops closes its client while a reconcile may still wait for an answer (holding a host-class lock that
     * others wait for). That call must still end rather than wait for ever and hang the shutdown: with its answer when
     * the answer comes after the close, with an error when none comes.
     */
    @Test
    void callsInFlightWhenTheClientClosesStillEnd() throws Exception {
        for (boolean answers : new boolean[] {true, false}) {
            try (FakeApiServer api = new FakeApiServer(t -> {
                if (!answers) {
                    return null;
                }
                try {
                    Thread.sleep(500); // answered once the client is closed
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return FakeApiServer.Answer.full(ONE_AGENT);
            })) {
                KubernetesClient client = api.client(2_000);
                var call = CompletableFuture.supplyAsync(() -> client.genericKubernetesResources(
                        HubLabels.AGENTS).inNamespace("hardware-inventory").list().getItems().size(),
                        Executors.newSingleThreadExecutor());
                while (api.targets.isEmpty()) {
                    Thread.sleep(10);
                }
                client.close();
                try {
                    assertEquals(1, call.get(20, TimeUnit.SECONDS), "answered: " + answers);
                    assertTrue(answers, "an answer that never came");
                } catch (ExecutionException e) {
                    assertFalse(answers, "the answer came: " + e.getCause());
                }
            }
        }
    }

    @Test
    void aFinishedAnswerLeavesNoTimerBehind() throws Exception {
        try (FakeApiServer api = new FakeApiServer(t -> FakeApiServer.Answer.full(ONE_AGENT));
                KubernetesClient client = api.client(60_000)) {
            int before = ResponseDeadline.pendingTimers();
            for (int i = 0; i < 50; i++) {
                client.genericKubernetesResources(HubLabels.AGENTS).inNamespace("hardware-inventory").list();
            }
            // each answer's timer is gone when the answer ends, not 60 s later with the answer still referenced
            int left = ResponseDeadline.pendingTimers() - before;
            assertTrue(left < 10, left + " timers of 50 finished answers still queued");
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
