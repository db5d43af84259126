package io.fulfillmenthub.store;

import java.lang.management.ManagementFactory;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.DoubleSupplier;
import java.util.function.LongSupplier;

/**
 * Deliveries first. The hub's inboxes (billing and alert webhooks) answer once a delivery is recorded; the queue
 * consumers that work off what they recorded share the CPU with them. While deliveries keep arriving at a sustained
 * rate, a consumer that loops from one batch straight into the next pauses before its next claim, so that it works at
 * most {@code share} of the time: the pause is proportional to how long its last batch took (idle time since counts
 * towards it), bounded, and holds for every consumer thread of that queue. It also claims small batches then (at most
 * {@code busyBatch} items): its share of the time comes in bursts of a few orders' work rather than of 16, each of
 * which left the deliveries arriving meanwhile ~200 ms of queueing on a busy machine (BENCHMARKS.md, session 14). The
 * senders are answered at the rate the machine can record their deliveries, and the backlog is worked off at full
 * speed as soon as the burst ends. A quiet inbox, a consumer that was idle, or {@code share = 1} means no pause and
 * no limit at all: an order that arrives alone is applied at once. With {@code busyCpu} above 0, neither does a
 * consumer give way while the machine has CPU to spare (its load, as the JVM sees it, container limits included, under
 * {@code busyCpu}). It is 0 by default (give way whatever the load): measured in BENCHMARKS.md (session 13), letting
 * the consumers run while the load was under 0.75 lowered the rate at which deliveries were still answered in time.
 *
 * <p>Per replica: each replica paces its own consumers by its own inboxes' traffic.
 */
public final class IntakePace {

    /** How long one window of the arrival count lasts. */
    static final long WINDOW_NANOS = 100_000_000L;
    /**
     * The longest pause before one claim: the share holds for batches of up to {@code share / (1 - share)} of it (a
     * ninth of a second at the default tenth). Session 13 of BENCHMARKS.md: at 250 ms an order batch (16 orders,
     * ~200 ms of work) earned 600 ms at a quarter but paused 250, so the consumers worked ~45 % of the time.
     */
    static final long MAX_PAUSE_NANOS = 1_000_000_000L;

    /** How often the machine's CPU load is read again (the JDK reports the load since the read before). */
    static final long CPU_SAMPLE_NANOS = 500_000_000L;

    /** The hub's own instance, fed by its inboxes and consulted by {@link WorkQueue#claim}. */
    public static final IntakePace HUB = new IntakePace(System::nanoTime, machineCpuLoad());

    public interface Sleeper {
        void sleep(long nanos) throws InterruptedException;
    }

    private final LongSupplier clock;
    private final DoubleSupplier cpuLoad;
    private volatile long cpuReadAt;
    private volatile double cpu = -1;
    private volatile double busyCpu;
    private final ThreadLocal<long[]> batch = ThreadLocal.withInitial(() -> new long[3]); // open?, start, last item done
    private final Map<String, long[]> next = new ConcurrentHashMap<>(); // per kind: no claim before (nanoTime)
    private long windowStart;
    private int inWindow;
    private int inPrevious;
    private volatile double share = 1.0;
    private volatile int busyPerWindow = 10;
    private volatile int busyBatch = Integer.MAX_VALUE;
    Sleeper sleeper = n -> Thread.sleep(n / 1_000_000, (int) (n % 1_000_000));

    /** @param cpuLoad the machine's recent CPU load, 0 to 1 (negative: not known, taken as busy) */
    IntakePace(LongSupplier clock, DoubleSupplier cpuLoad) {
        this.clock = clock;
        this.cpuLoad = cpuLoad;
        this.windowStart = clock.getAsLong();
        this.cpuReadAt = windowStart - CPU_SAMPLE_NANOS;
    }

    /** The recent CPU load of the machine, or of the container when it has a CPU limit (JDK 14+); -1 when unknown. */
    static DoubleSupplier machineCpuLoad() {
        return () -> ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os
                ? os.getCpuLoad() : -1; // looked up when first needed: nothing at start-up
    }

    /**
     * @param share      the part of the time a looping consumer may work while the inboxes are busy, 0 &lt; share
     *                   &lt;= 1 (1: never pause)
     * @param busyPerSec deliveries per second from which the inboxes count as busy
     * @param busyCpu    the machine's CPU load (0 to 1) from which the consumers give way; 0: whatever the load
     * @param busyBatch  the most items a consumer claims at once while it gives way
     */
    public void configure(double share, int busyPerSec, double busyCpu, int busyBatch) {
        if (busyBatch < 1) {
            throw new IllegalArgumentException("the busy batch must be at least 1 item, not " + busyBatch);
        }
        if (!(busyCpu >= 0 && busyCpu <= 1)) {
            throw new IllegalArgumentException("the busy CPU load must be in [0, 1], not " + busyCpu);
        }
        if (!(share > 0 && share <= 1)) {
            throw new IllegalArgumentException("the background share must be in (0, 1], not " + share);
        }
        if (busyPerSec < 1) {
            throw new IllegalArgumentException("the busy rate must be at least 1 per second, not " + busyPerSec);
        }
        this.share = share;
        this.busyCpu = busyCpu;
        this.busyPerWindow = Math.max(1, (int) Math.ceil(busyPerSec * (WINDOW_NANOS / 1e9)));
        this.busyBatch = busyBatch;
    }

    /**
     * How many items a consumer that wants up to {@code max} claims now: at most the busy batch while it gives way to
     * the inboxes (the pacing is on, deliveries arrive at the busy rate, the CPU is busy), {@code max} otherwise.
     */
    public int batchLimit(int max) {
        int limit = busyBatch;
        return limit >= max || !givingWay() ? max : limit;
    }

    /** Whether the consumers give way to the inboxes now: the pacing is on, deliveries are busy, so is the CPU. */
    private boolean givingWay() {
        return share < 1 && busy() && cpuBusy();
    }

    /** An inbox took a delivery. */
    public void arrived() {
        long now = clock.getAsLong();
        synchronized (this) {
            roll(now);
            inWindow++;
        }
    }

    /** Whether deliveries arrive at the busy rate or faster: in the current window or the one before. */
    public boolean busy() {
        long now = clock.getAsLong();
        synchronized (this) {
            roll(now);
            return Math.max(inWindow, inPrevious) >= busyPerWindow;
        }
    }

    /**
     * Whether the machine's CPU is busy (or its load unknown). Read by a consumer about to pause, off every lock, at
     * most every {@link #CPU_SAMPLE_NANOS}: reading it costs milliseconds on some machines (the JDK reads
     * {@code /proc/stat}, or the container's cgroup files), which no delivery should wait for.
     */
    boolean cpuBusy() {
        if (busyCpu <= 0) {
            return true; // whatever the load: not read at all
        }
        long now = clock.getAsLong();
        if (now - cpuReadAt >= CPU_SAMPLE_NANOS) {
            cpuReadAt = now; // two consumers reading at once is harmless
            cpu = cpuLoad.getAsDouble();
        }
        double c = cpu;
        return c < 0 || c >= busyCpu;
    }

    private void roll(long now) {
        long windows = (now - windowStart) / WINDOW_NANOS;
        if (windows == 1) {
            inPrevious = inWindow;
            inWindow = 0;
        } else if (windows > 1) {
            inPrevious = 0;
            inWindow = 0;
        }
        if (windows > 0) {
            windowStart += windows * WINDOW_NANOS;
        }
    }

    /**
     * The calling thread is about to claim a batch of {@code kind}: pauses first when it should. The pause a batch
     * earns holds for its kind, whichever of the kind's consumer threads (its timer, its wake-up) claims next.
     * Returns the pause in nanoseconds.
     */
    public long beforeClaim(String kind) {
        long[] b = batch.get();
        boolean open = b[0] != 0;
        long start = b[1];
        long lastDone = b[2];
        b[0] = 0;
        double s = share;
        if (s >= 1) {
            return 0;
        }
        long now = clock.getAsLong();
        long[] notBefore = next.computeIfAbsent(kind, k -> new long[] {now});
        synchronized (notBefore) {
            if (open && lastDone > start) {
                long earned = Math.min(MAX_PAUSE_NANOS, (long) ((lastDone - start) * (1 - s) / s));
                if (lastDone + earned - notBefore[0] > 0) {
                    notBefore[0] = lastDone + earned;
                }
            }
        }
        // counted from the batch's end: time the consumer then spent idle is part of its pause already
        long pause = Math.min(MAX_PAUSE_NANOS, notBefore[0] - now);
        if (pause <= 0 || !givingWay()) {
            return 0;
        }
        try {
            sleeper.sleep(pause);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return pause;
    }

    /** The calling thread claimed a batch (an empty one starts nothing). */
    public void claimed(int items) {
        long[] b = batch.get();
        b[0] = items > 0 ? 1 : 0;
        b[1] = clock.getAsLong();
        b[2] = b[1];
    }

    /** The calling thread finished an item of its batch (done, or put back for later). */
    public void itemDone() {
        long[] b = batch.get();
        if (b[0] != 0) {
            b[2] = clock.getAsLong();
        }
    }
}
