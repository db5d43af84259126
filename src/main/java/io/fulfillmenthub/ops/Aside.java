package io.fulfillmenthub.ops;

import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/**
 * Start-up work that does not have to run on the main thread: begun on a thread of its own as early as its inputs
 * exist, and joined where its result is first needed, which is before the HTTP server listens. The hub then starts as
 * it did when the work ran in line (same order of effects, a failure still stops the start), only sooner: the main
 * thread goes on with Camel's boot while the store is migrated, the demo tokens signed and the YAML routes loaded.
 */
public final class Aside {

    private Aside() {
    }

    /** Runs {@code work} on a new daemon thread named {@code name}. */
    public static <T> CompletableFuture<T> begin(String name, Callable<T> work) {
        CompletableFuture<T> result = new CompletableFuture<>();
        Thread t = new Thread(() -> {
            try {
                result.complete(work.call());
            } catch (Throwable e) {
                result.completeExceptionally(e);
            }
        }, name);
        t.setDaemon(true);
        t.start();
        return result;
    }

    /** Waits for work begun aside; its failure is thrown here, as if the work had run on this thread. */
    public static <T> T join(CompletableFuture<T> work) {
        try {
            return work.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for start-up work", e);
        } catch (ExecutionException | CompletionException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            if (cause instanceof RuntimeException r) {
                throw r;
            }
            if (cause instanceof Error err) {
                throw err;
            }
            throw new IllegalStateException(cause.getMessage(), cause);
        }
    }
}
