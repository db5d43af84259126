package io.fulfillmenthub.ops;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;

import com.sun.management.HotSpotDiagnosticMXBean;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Gives the Java heap that start-up or a burst of work left committed back to the system once the hub is idle, as
 * G1's periodic collection does for G1 (JEP 346); the Serial collector that {@code ./hub} uses only gives memory back
 * when a full collection finds much more free space than {@code MaxHeapFreeRatio} (70 %) allows.
 *
 * <p>Every {@code hub.idle-heap-trim.check-every} it estimates what the application allocated since the last check
 * (eden's growth, plus one eden per young collection in between). Once that stayed under 1 MB/s for
 * {@code hub.idle-heap-trim.idle-after}, and the committed heap is at least 4 MB larger than the last trim left it (or
 * than nothing, before the first), it runs full collections with {@code MinHeapFreeRatio=10} and
 * {@code MaxHeapFreeRatio=<max-free-percent>} (both manageable flags) until the heap stops shrinking (at most four:
 * with {@code ShrinkHeapInSteps} the JVM shrinks by 0, 10, 40 then 100 % of the excess), then puts the JVM's own
 * ratios back. Under load nothing changes: the ratios that keep full collections rare while the heap grows
 * (BENCHMARKS.md, S2, session 6) are only lowered for the trim itself. The collections are the only cost: a few tens
 * to a few hundred milliseconds of one thread, once per idle period (no second trim follows until work has grown the
 * heap again).
 *
 * <p>Each replica trims its own JVM; nothing is shared. Off when the JVM is not HotSpot, or explicit collections are
 * disabled ({@code -XX:+DisableExplicitGC}).
 */
@ApplicationScoped
public class IdleHeapTrim {

    private static final Logger LOG = Logger.getLogger(IdleHeapTrim.class);
    /** Allocation under this rate counts as idle (an idle embedded hub allocates ~0.5 MB/s: its queue pollers). */
    static final long QUIET_BYTES_PER_SECOND = 1L << 20;
    /** The heap must have grown by at least this much since the last trim. */
    static final long MIN_GAIN_BYTES = 4L << 20;
    private static final int MAX_COLLECTIONS = 4;

    @ConfigProperty(name = "hub.idle-heap-trim.enabled", defaultValue = "true")
    boolean enabled;
    @ConfigProperty(name = "hub.idle-heap-trim.check-every", defaultValue = "5s")
    java.time.Duration checkEvery;
    @ConfigProperty(name = "hub.idle-heap-trim.idle-after", defaultValue = "10s")
    java.time.Duration idleAfter;
    @ConfigProperty(name = "hub.idle-heap-trim.max-free-percent", defaultValue = "20")
    int maxFreePercent;

    private Detector detector;
    private volatile boolean unavailable;

    @Scheduled(every = "${hub.idle-heap-trim.check-every:5s}", delayed = "5s",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    synchronized void check() {
        if (!enabled || unavailable) {
            return;
        }
        try {
            if (detector == null) {
                detector = new Detector(QUIET_BYTES_PER_SECOND * checkEvery.toMillis() / 1000,
                        (int) Math.max(1, Math.ceil((double) idleAfter.toMillis() / checkEvery.toMillis())),
                        MIN_GAIN_BYTES);
            }
            if (detector.observe(Jvm.sample())) {
                Jvm.Trimmed t = Jvm.trim(maxFreePercent);
                detector.trimmed(Jvm.sample());
                LOG.infof("idle: gave %d MB of heap back (committed %d -> %d MB, %d full collection(s), %d ms)",
                        (t.before() - t.after()) >> 20, t.before() >> 20, t.after() >> 20, t.collections(), t.millis());
            }
        } catch (UnsupportedOperationException | IllegalArgumentException | IllegalStateException e) {
            unavailable = true;
            LOG.infof("idle heap trim off: %s", e.getMessage());
        }
    }

    /** What the JVM's beans say at one check. */
    record Sample(long collections, long edenUsed, long edenCommitted, long heapCommitted) {
    }

    /**
     * Decides, from one sample per check, when a trim is due: after {@code quietChecks} checks in a row that each
     * allocated less than {@code quietBytes}, when the heap grew by at least {@code minGain} since the last trim.
     * Pure logic.
     */
    static final class Detector {
        private final long quietBytes;
        private final int quietChecks;
        private final long minGain;
        private Sample last;
        private int quiet;
        private long floor;

        Detector(long quietBytes, int quietChecks, long minGain) {
            this.quietBytes = quietBytes;
            this.quietChecks = quietChecks;
            this.minGain = minGain;
        }

        boolean observe(Sample now) {
            Sample before = last;
            last = now;
            if (before == null) {
                return false;
            }
            long collections = now.collections() - before.collections();
            long allocated = collections == 0 ? now.edenUsed() - before.edenUsed()
                    : collections * before.edenCommitted() - before.edenUsed() + now.edenUsed();
            quiet = allocated < quietBytes ? quiet + 1 : 0;
            return quiet >= quietChecks && gain(now) >= minGain;
        }

        /**
         * How much the heap grew since the last trim left it (all of it before the first): what is used of it tells
         * little before a collection (the old generation fills with garbage between full collections), so a heap that
         * a trim made tight is left alone until work has grown it again.
         */
        long gain(Sample s) {
            return s.heapCommitted() - floor;
        }

        /** After a trim: its own collections are not the application's allocation; the heap it left is the floor. */
        void trimmed(Sample after) {
            last = after;
            quiet = 0;
            floor = after.heapCommitted();
        }
    }

    /** The running JVM: its memory beans, and the trim. */
    static final class Jvm {
        private Jvm() {
        }

        record Trimmed(long before, long after, int collections, long millis) {
        }

        static Sample sample() {
            long collections = 0;
            for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
                collections += Math.max(0, gc.getCollectionCount());
            }
            long edenUsed = 0;
            long edenCommitted = 0;
            for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
                // Serial "Eden Space", Parallel "PS Eden Space", G1 "G1 Eden Space"
                if (pool.getType() == MemoryType.HEAP && pool.getName().contains("Eden")) {
                    edenUsed += pool.getUsage().getUsed();
                    edenCommitted += pool.getUsage().getCommitted();
                }
            }
            return new Sample(collections, edenUsed, edenCommitted, committed());
        }

        /**
         * Full collections with at most {@code maxFreePercent} of the heap left free, until the committed heap stops
         * shrinking; the JVM's ratios are put back whatever happens.
         *
         * @throws UnsupportedOperationException when this JVM cannot do it (not HotSpot, explicit GC disabled)
         */
        static Trimmed trim(int maxFreePercent) {
            HotSpotDiagnosticMXBean hs = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
            if (hs == null) {
                throw new UnsupportedOperationException("not a HotSpot JVM");
            }
            if (Boolean.parseBoolean(hs.getVMOption("DisableExplicitGC").getValue())) {
                throw new UnsupportedOperationException("explicit collections are disabled (-XX:+DisableExplicitGC)");
            }
            String min = hs.getVMOption("MinHeapFreeRatio").getValue();
            String max = hs.getVMOption("MaxHeapFreeRatio").getValue();
            int lowMin = Math.min(10, maxFreePercent);
            int most = Boolean.parseBoolean(hs.getVMOption("ShrinkHeapInSteps").getValue()) ? MAX_COLLECTIONS : 1;
            long start = System.nanoTime();
            long before = committed();
            long now = before;
            int collections = 0;
            try {
                // Min <= Max at every step: lower the minimum first, raise the maximum first when putting them back
                hs.setVMOption("MinHeapFreeRatio", String.valueOf(Math.min(lowMin, Integer.parseInt(min))));
                hs.setVMOption("MaxHeapFreeRatio", String.valueOf(maxFreePercent));
                hs.setVMOption("MinHeapFreeRatio", String.valueOf(lowMin));
                while (collections < most) {
                    long previous = now;
                    System.gc();
                    collections++;
                    now = committed();
                    if (collections > 1 && now >= previous) {
                        break;
                    }
                }
            } finally {
                hs.setVMOption("MaxHeapFreeRatio", max);
                hs.setVMOption("MinHeapFreeRatio", min);
            }
            return new Trimmed(before, now, collections, (System.nanoTime() - start) / 1_000_000);
        }

        private static long committed() {
            return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getCommitted();
        }
    }
}
