package io.fulfillmenthub.store;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Group commit of small writes that arrive together (an inbox under load): a caller hands in its item and waits for
 * it to be written; a caller that finds fewer than {@code writers} batches being written takes every item waiting (at
 * most {@code maxBatch}, its own first in line) and writes them in one go (one statement, one commit), then every
 * caller of that batch returns with its own result. A caller alone writes its own item at once on its own thread: no
 * added latency and no thread of its own. When a batch fails, each of its items is written again alone, so a bad item
 * fails only its own caller and the others are still written.
 *
 * @param <T> an item to write
 * @param <R> what writing it gave its caller
 */
public final class GroupCommit<T, R> {

    /** Writes the items in one transaction; the results in the items' order. */
    @FunctionalInterface
    public interface Writer<T, R> {
        List<R> write(List<T> items);
    }

    private static final class Slot<T, R> {
        final T item;
        boolean done;
        R result;
        RuntimeException error;

        Slot(T item) {
            this.item = item;
        }
    }

    private final int writers;
    private final int maxBatch;
    private final Writer<T, R> writer;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition written = lock.newCondition();
    private final ArrayDeque<Slot<T, R>> waiting = new ArrayDeque<>();
    private int writing;

    public GroupCommit(int writers, int maxBatch, Writer<T, R> writer) {
        if (writers < 1 || maxBatch < 1) {
            throw new IllegalArgumentException("writers and maxBatch must be at least 1");
        }
        this.writers = writers;
        this.maxBatch = maxBatch;
        this.writer = writer;
    }

    /** Writes {@code item} (alone or with others waiting) and returns its result, or throws its error. */
    public R submit(T item) {
        Slot<T, R> mine = new Slot<>(item);
        lock.lock();
        try {
            waiting.add(mine);
            while (!mine.done) {
                if (writing < writers && !waiting.isEmpty()) {
                    List<Slot<T, R>> batch = new ArrayList<>(Math.min(waiting.size(), maxBatch));
                    while (batch.size() < maxBatch && !waiting.isEmpty()) {
                        batch.add(waiting.poll());
                    }
                    writing++;
                    lock.unlock();
                    try {
                        write(batch);
                    } finally {
                        lock.lock();
                        writing--;
                        written.signalAll();
                    }
                } else {
                    // uninterruptible: the item may be in a batch being written, so the caller must learn its outcome
                    written.awaitUninterruptibly();
                }
            }
        } finally {
            lock.unlock();
        }
        if (mine.error != null) {
            throw mine.error;
        }
        return mine.result;
    }

    /** The items waiting for a writer (for tests). */
    int waiting() {
        lock.lock();
        try {
            return waiting.size();
        } finally {
            lock.unlock();
        }
    }

    private void write(List<Slot<T, R>> batch) {
        try {
            List<R> results = run(batch.stream().map(s -> s.item).toList());
            for (int i = 0; i < batch.size(); i++) {
                batch.get(i).result = results.get(i);
            }
        } catch (RuntimeException e) {
            if (batch.size() == 1) {
                batch.get(0).error = e;
            } else {
                for (Slot<T, R> s : batch) {
                    try {
                        s.result = run(List.of(s.item)).get(0);
                    } catch (RuntimeException alone) {
                        s.error = alone;
                    }
                }
            }
        } catch (Error e) {
            for (Slot<T, R> s : batch) {
                s.error = new IllegalStateException("group commit failed", e);
            }
            throw e;
        } finally {
            // under the lock the waiters take it: done is read there
            lock.lock();
            try {
                for (Slot<T, R> s : batch) {
                    s.done = true;
                }
            } finally {
                lock.unlock();
            }
        }
    }

    private List<R> run(List<T> items) {
        List<R> results = writer.write(items);
        if (results == null || results.size() != items.size()) {
            throw new IllegalStateException("the writer returned " + (results == null ? "no" : results.size())
                    + " results for " + items.size() + " items");
        }
        return results;
    }
}
