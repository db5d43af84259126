package io.fulfillmenthub.ops;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;

import com.sun.management.HotSpotDiagnosticMXBean;

/**
 * Run by {@link IdleHeapTrimTest} in a JVM of its own (the Serial collector, as {@code ./hub} runs): grows the heap
 * with 80 MB of live data, lets most of it die, stays idle a moment, then trims. Prints one line of key=value.
 */
public final class IdleHeapTrimProbe {
    private IdleHeapTrimProbe() {
    }

    public static void main(String[] args) throws Exception {
        List<byte[]> keep = new ArrayList<>();
        for (int i = 0; i < 80; i++) {
            keep.add(new byte[1 << 20]);
        }
        System.gc(); // the JVM sizes the heap for 80 MB live, as after a start-up or a burst
        keep.subList(8, keep.size()).clear();
        long grown = committed();
        Thread.sleep(1000);
        long idle = committed();
        IdleHeapTrim.Jvm.Trimmed t = IdleHeapTrim.Jvm.trim(20);
        HotSpotDiagnosticMXBean hs = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
        System.out.println("grown=" + grown + " idle=" + idle + " before=" + t.before() + " after=" + t.after()
                + " collections=" + t.collections() + " live=" + keep.size()
                + " min=" + hs.getVMOption("MinHeapFreeRatio").getValue()
                + " max=" + hs.getVMOption("MaxHeapFreeRatio").getValue());
    }

    private static long committed() {
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getCommitted();
    }
}
