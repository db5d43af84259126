package io.fulfillmenthub.store;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

import org.jboss.logging.Logger;

/**
 * Wakes a queue's consumer as soon as the work it should do is committed, instead of leaving it to the next poll.
 * {@link WorkQueue} signals the kinds it enqueues; {@link Db#tx} hands them to the listeners after the outermost
 * transaction of the thread committed (nothing when it rolled back). The polls stay as the safety net for what another
 * replica enqueued, so a lost wake-up costs one poll interval, never work.
 */
public final class Wakeups {
    private static final Logger LOG = Logger.getLogger(Wakeups.class);

    private static final Map<String, List<Consumer<String>>> LISTENERS = new ConcurrentHashMap<>();
    private static final ThreadLocal<Set<String>> PENDING = ThreadLocal.withInitial(LinkedHashSet::new);
    private static final ThreadLocal<int[]> DEPTH = ThreadLocal.withInitial(() -> new int[1]);

    private Wakeups() {
    }

    /** Calls {@code listener} with the kind each time work of that kind was committed. Must not block. */
    public static void listen(String kind, Consumer<String> listener) {
        LISTENERS.computeIfAbsent(kind, k -> new CopyOnWriteArrayList<>()).add(listener);
    }

    public static void unlisten(String kind, Consumer<String> listener) {
        List<Consumer<String>> l = LISTENERS.get(kind);
        if (l != null) {
            l.remove(listener);
        }
    }

    /** Work of {@code kind} was written: wake its consumer after the commit (at once outside a transaction). */
    public static void signal(String kind) {
        if (DEPTH.get()[0] == 0) {
            fire(kind);
        } else {
            PENDING.get().add(kind);
        }
    }

    static void begin() {
        DEPTH.get()[0]++;
    }

    static void end(boolean committed) {
        int[] depth = DEPTH.get();
        depth[0] = Math.max(0, depth[0] - 1);
        if (depth[0] > 0) {
            return; // an inner transaction: what it signalled waits for the outermost one
        }
        Set<String> pending = PENDING.get();
        if (pending.isEmpty()) {
            return;
        }
        List<String> kinds = List.copyOf(pending);
        pending.clear();
        if (committed) {
            kinds.forEach(Wakeups::fire);
        }
    }

    private static void fire(String kind) {
        for (Consumer<String> l : LISTENERS.getOrDefault(kind, List.of())) {
            try {
                l.accept(kind);
            } catch (RuntimeException e) {
                LOG.debugf("wake-up of %s not delivered: %s", kind, e.getMessage());
            }
        }
    }
}
