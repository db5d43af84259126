package io.fulfillmenthub.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

/** Writes that arrive together are written together, each caller gets its own outcome, a bad item fails alone. */
class GroupCommitTest {

    @Test
    void aCallerAloneWritesItsItemAtOnceOnItsOwnThread() {
        List<String> threads = new ArrayList<>();
        GroupCommit<Integer, Integer> g = new GroupCommit<>(2, 8, items -> {
            threads.add(Thread.currentThread().getName());
            return items.stream().map(i -> i * 10).toList();
        });
        assertEquals(70, g.submit(7));
        assertEquals(List.of(Thread.currentThread().getName()), threads);
    }

    @Test
    void concurrentCallersShareBatchesAndEachGetsItsOwnResult() throws Exception {
        AtomicInteger inFlight = new AtomicInteger();
        AtomicInteger mostInFlight = new AtomicInteger();
        AtomicInteger largest = new AtomicInteger();
        AtomicInteger batches = new AtomicInteger();
        GroupCommit<Integer, Integer> g = new GroupCommit<>(2, 16, items -> {
            mostInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
            largest.accumulateAndGet(items.size(), Math::max);
            batches.incrementAndGet();
            try {
                Thread.sleep(2); // a commit's latency: callers arriving meanwhile queue up
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            inFlight.decrementAndGet();
            return items.stream().map(i -> -i).toList();
        });
        ExecutorService pool = Executors.newFixedThreadPool(24);
        List<Future<Boolean>> oks = new ArrayList<>();
        for (int t = 0; t < 24; t++) {
            int base = t * 1000;
            oks.add(pool.submit(() -> {
                for (int i = 0; i < 50; i++) {
                    if (g.submit(base + i) != -(base + i)) {
                        return false;
                    }
                }
                return true;
            }));
        }
        for (Future<Boolean> ok : oks) {
            assertTrue(ok.get(60, TimeUnit.SECONDS), "every caller got its own item's result");
        }
        pool.shutdown();
        assertTrue(largest.get() > 1, "callers arriving during a write were batched");
        assertTrue(largest.get() <= 16, "no batch above the maximum: " + largest.get());
        assertTrue(mostInFlight.get() <= 2, "at most two batches written at once: " + mostInFlight.get());
        assertTrue(batches.get() < 24 * 50, "fewer writes than items: " + batches.get());
    }

    @Test
    void aFailingBatchIsWrittenAgainItemByItemSoOnlyTheBadItemFails() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        List<List<String>> writes = new ArrayList<>();
        GroupCommit<String, String> g = new GroupCommit<>(1, 8, items -> {
            synchronized (writes) {
                writes.add(items);
            }
            if (items.contains("first")) {
                try {
                    release.await(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            if (items.contains("bad")) {
                throw new IllegalArgumentException("bad item");
            }
            return items.stream().map(String::toUpperCase).toList();
        });
        ExecutorService pool = Executors.newFixedThreadPool(3);
        Future<String> first = pool.submit(() -> g.submit("first"));
        while (writes.isEmpty()) {
            Thread.sleep(1);
        }
        Future<String> bad = pool.submit(() -> g.submit("bad"));
        Future<String> good = pool.submit(() -> g.submit("good"));
        while (g.waiting() < 2) {
            Thread.sleep(1);
        }
        release.countDown();
        assertEquals("FIRST", first.get(30, TimeUnit.SECONDS));
        assertEquals("GOOD", good.get(30, TimeUnit.SECONDS));
        Exception e = assertThrows(Exception.class, () -> bad.get(30, TimeUnit.SECONDS));
        assertEquals("bad item", e.getCause().getMessage());
        pool.shutdown();
        assertEquals(2, writes.get(1).size(), "the two waiting items were tried as one batch: " + writes);
        assertTrue(writes.subList(2, writes.size()).stream().allMatch(w -> w.size() == 1), "then one by one: " + writes);
    }
}
