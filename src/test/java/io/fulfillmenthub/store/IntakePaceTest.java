package io.fulfillmenthub.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Deliveries first: while the inboxes take deliveries at a sustained rate, a queue consumer looping from batch to batch
 * works at most its share of the time; alone, idle, or with a quiet inbox it never waits. A clock of our own: no test
 * here sleeps.
 */
class IntakePaceTest {

    static final long MS = 1_000_000L;

    final AtomicLong now = new AtomicLong(5_000 * MS);
    final List<Long> slept = new ArrayList<>();
    double cpu = 1.0;
    int cpuReads;
    IntakePace pace;

    @BeforeEach
    void setUp() {
        pace = new IntakePace(now::get, () -> {
            cpuReads++;
            return cpu;
        });
        pace.sleeper = n -> {
            slept.add(n);
            now.addAndGet(n);
        };
        pace.configure(0.25, 100, 0.75, 2); // busy from 10 deliveries in 100 ms on a machine 75 % busy; 2 at a time
    }

    void deliveries(int n, long everyMs) {
        for (int i = 0; i < n; i++) {
            pace.arrived();
            now.addAndGet(everyMs * MS);
        }
    }

    /** One batch of {@code items} items of {@code itemMs} each, claimed and worked by the calling thread. */
    void batch(int items, long itemMs) {
        pace.claimed(items);
        for (int i = 0; i < items; i++) {
            now.addAndGet(itemMs * MS);
            pace.itemDone();
        }
    }

    @Test
    void aLoopingConsumerWorksAQuarterOfTheTimeWhileDeliveriesPourIn() {
        deliveries(20, 1); // 1,000 a second
        batch(4, 5); // 20 ms of work
        assertEquals(60 * MS, pace.beforeClaim("billing"), "3 x the batch's 20 ms: it worked a quarter of the time");
        assertEquals(List.of(60 * MS), slept);
    }

    @Test
    void aBatchOfAFifthOfASecondEarnsItsWholePause() {
        deliveries(20, 1);
        pace.claimed(16); // 16 orders of 12 ms, 192 ms of work, while the deliveries go on
        for (int i = 0; i < 16; i++) {
            deliveries(12, 1);
            pace.itemDone();
        }
        assertEquals(576 * MS, pace.beforeClaim("billing"), "3 x 192 ms: a quarter of the time, not cut short");
    }

    @Test
    void theWorkOfALongBatchEarnsABoundedPause() {
        deliveries(20, 1);
        pace.claimed(1);
        pace.arrived(); // the deliveries go on while the batch runs
        now.addAndGet(500 * MS); // 1.5 s earned
        for (int i = 0; i < 12; i++) {
            pace.arrived();
        }
        pace.itemDone();
        assertEquals(IntakePace.MAX_PAUSE_NANOS, pace.beforeClaim("billing"));
    }

    @Test
    void noPauseWhileTheMachineHasCpuToSpare() {
        cpu = 0.4;
        deliveries(20, 1);
        for (int i = 0; i < 5; i++) {
            batch(4, 5);
            assertEquals(0, pace.beforeClaim("billing"), "the deliveries do not need the CPU the consumer takes");
            deliveries(20, 1);
        }
        assertTrue(pace.busy(), "the deliveries still pour in");
        cpu = 0.9; // read again after half a second at most
        deliveries(500, 1);
        batch(4, 5);
        assertEquals(60 * MS, pace.beforeClaim("billing"));
        assertEquals(2, cpuReads, "the load is read every half second, not at every claim");
    }

    @Test
    void byDefaultTheLoadIsNotEvenRead() {
        pace.configure(0.25, 100, 0, 2);
        cpu = 0.1;
        deliveries(20, 1);
        batch(4, 5);
        assertEquals(60 * MS, pace.beforeClaim("billing"));
        assertEquals(0, cpuReads);
    }

    @Test
    void anUnknownCpuLoadCountsAsBusy() {
        cpu = -1;
        deliveries(20, 1);
        batch(4, 5);
        assertEquals(60 * MS, pace.beforeClaim("billing"));
    }

    @Test
    void noPauseWhenTheInboxesAreQuiet() {
        deliveries(5, 20); // 50 a second: below the busy rate
        batch(4, 5);
        assertEquals(0, pace.beforeClaim("billing"));
        assertTrue(slept.isEmpty());
    }

    @Test
    void anOrderThatArrivesAloneIsWorkedOnAtOnce() {
        deliveries(20, 1);
        batch(4, 5);
        now.addAndGet(500 * MS); // the consumer went idle; then a new burst wakes it
        deliveries(15, 1);
        assertTrue(pace.busy());
        assertEquals(0, pace.beforeClaim("billing"), "idle time after a batch is not work: nothing to pay back");
        assertEquals(0, pace.beforeClaim("billing"), "the first claim, and no batch since");
        assertTrue(slept.isEmpty());
    }

    @Test
    void idleTimeAfterABatchCountsTowardsItsPause() {
        deliveries(20, 1);
        batch(4, 5); // earns 60 ms
        now.addAndGet(40 * MS);
        pace.arrived();
        assertEquals(20 * MS, pace.beforeClaim("billing"), "40 of the 60 ms were spent idle already");
    }

    @Test
    void thePauseHoldsForEveryConsumerThreadOfTheQueue() throws Exception {
        deliveries(20, 1);
        batch(4, 5); // this thread earned 60 ms
        assertEquals(60 * MS, pace.beforeClaim("billing"));
        // meanwhile a second consumer thread of the same queue (its timer) may not jump in
        now.addAndGet(-30 * MS); // as if that thread arrived half-way through the pause
        long[] other = new long[1];
        Thread t = new Thread(() -> {
            pace.arrived();
            other[0] = pace.beforeClaim("billing");
        });
        t.start();
        t.join();
        assertEquals(30 * MS, other[0], "the rest of the queue's pause");
        assertEquals(0, pace.beforeClaim("reconcile"), "another queue has paid nothing: it is not held back");
    }

    @Test
    void theDeliveriesStopAndTheBacklogIsWorkedAtFullSpeed() {
        deliveries(20, 1);
        batch(4, 5);
        now.addAndGet(250 * MS); // no delivery for two windows
        pace.claimed(4);
        now.addAndGet(20 * MS);
        pace.itemDone();
        assertFalse(pace.busy());
        assertEquals(0, pace.beforeClaim("billing"));
    }

    @Test
    void shareOneTurnsItOff() {
        pace.configure(1, 100, 0.75, 2);
        deliveries(50, 1);
        batch(4, 5);
        assertEquals(0, pace.beforeClaim("billing"));
    }

    @Test
    void whileDeliveriesPourInAConsumerClaimsAFewItemsAtATime() {
        assertEquals(16, pace.batchLimit(16), "a quiet inbox: the whole batch");
        deliveries(50, 1);
        assertEquals(2, pace.batchLimit(16));
        assertEquals(1, pace.batchLimit(1), "never more than asked for");
        now.addAndGet(500 * MS); // the burst is over
        assertEquals(16, pace.batchLimit(16));
    }

    @Test
    void theBatchLimitHoldsOnlyWhileTheConsumersGiveWay() {
        deliveries(50, 1);
        cpu = 0.5; // spare CPU: no pause, and no small batches either
        assertEquals(16, pace.batchLimit(16));
        pace.configure(1, 100, 0, 2); // pacing off
        assertEquals(16, pace.batchLimit(16));
        pace.configure(0.25, 100, 0, 4); // whatever the load
        assertEquals(4, pace.batchLimit(16));
    }

    @Test
    void nonsenseSettingsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> pace.configure(0.5, 100, 0.75, 0));
        assertThrows(IllegalArgumentException.class, () -> pace.configure(0, 100, 0.75, 2));
        assertThrows(IllegalArgumentException.class, () -> pace.configure(1.5, 100, 0.75, 2));
        assertThrows(IllegalArgumentException.class, () -> pace.configure(0.5, 0, 0.75, 2));
        assertThrows(IllegalArgumentException.class, () -> pace.configure(0.5, 100, 1.2, 2));
        assertThrows(IllegalArgumentException.class, () -> pace.configure(0.5, 100, -0.1, 2));
    }
}
