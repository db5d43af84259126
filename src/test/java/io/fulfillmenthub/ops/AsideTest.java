package io.fulfillmenthub.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.concurrent.CompletableFuture;

import org.junit.jupiter.api.Test;

/**
 * Start-up work begun aside must behave, where it is joined, as if it had run there: its result, or its failure with
 * the same exception, so that a start whose store cannot be migrated or whose routes cannot be loaded still fails.
 */
class AsideTest {

    @Test
    void theWorkRunsOnANamedDaemonThreadAndItsResultIsJoined() {
        Thread caller = Thread.currentThread();
        CompletableFuture<Thread> f = Aside.begin("aside-test", Thread::currentThread);
        Thread worker = Aside.join(f);
        assertTrue(worker != caller, "ran on a thread of its own");
        assertEquals("aside-test", worker.getName());
        assertTrue(worker.isDaemon(), "a daemon: a hung start-up task never keeps the JVM alive");
    }

    @Test
    void aFailureIsThrownWhereTheWorkIsJoined() {
        IllegalStateException boom = new IllegalStateException("the YAML routes cannot be loaded");
        CompletableFuture<Void> f = Aside.begin("aside-fails", () -> {
            throw boom;
        });
        assertSame(boom, assertThrows(IllegalStateException.class, () -> Aside.join(f)), "the same exception, unwrapped");

        CompletableFuture<Void> checked = Aside.begin("aside-io", () -> {
            throw new IOException("disk gone");
        });
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> Aside.join(checked));
        assertTrue(e.getCause() instanceof IOException, "a checked failure keeps its cause: " + e);

        StackOverflowError error = new StackOverflowError();
        assertSame(error, assertThrows(StackOverflowError.class, () -> Aside.join(Aside.begin("aside-error", () -> {
            throw error;
        }))));
    }
}
