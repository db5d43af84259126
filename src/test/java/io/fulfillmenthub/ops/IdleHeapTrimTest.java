package io.fulfillmenthub.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.fulfillmenthub.ops.IdleHeapTrim.Detector;
import io.fulfillmenthub.ops.IdleHeapTrim.Sample;
import org.junit.jupiter.api.Test;

class IdleHeapTrimTest {

    private static final long MB = 1L << 20;

    /** 5 MB per check is quiet, two quiet checks in a row make an idle hub, a heap 4 MB larger than a trim left it. */
    private static Detector detector() {
        return new Detector(5 * MB, 2, 4 * MB);
    }

    @Test
    void trimsOnceTheHubWasQuietLongEnough() {
        Detector d = detector();
        assertFalse(d.observe(new Sample(10, 2 * MB, 16 * MB, 55 * MB)), "a first sample has nothing to compare");
        assertFalse(d.observe(new Sample(10, 3 * MB, 16 * MB, 55 * MB)), "one quiet check is not enough");
        assertTrue(d.observe(new Sample(10, 4 * MB, 16 * MB, 55 * MB)), "quiet twice");
    }

    @Test
    void aCheckWithWorkInItStartsTheWaitAgain() {
        Detector d = detector();
        d.observe(new Sample(10, 2 * MB, 16 * MB, 55 * MB));
        d.observe(new Sample(10, 3 * MB, 16 * MB, 55 * MB));
        // three young collections since: ~45 MB allocated
        assertFalse(d.observe(new Sample(13, 3 * MB, 16 * MB, 55 * MB)));
        assertFalse(d.observe(new Sample(13, 4 * MB, 16 * MB, 55 * MB)), "only one quiet check since the work");
        assertTrue(d.observe(new Sample(13, 5 * MB, 16 * MB, 55 * MB)));
    }

    @Test
    void aCheckThatAllocatedMoreThanTheQuietAmountIsWork() {
        Detector d = detector();
        d.observe(new Sample(10, 1 * MB, 16 * MB, 55 * MB));
        assertFalse(d.observe(new Sample(10, 7 * MB, 16 * MB, 55 * MB)), "6 MB in one check");
        assertFalse(d.observe(new Sample(10, 8 * MB, 16 * MB, 55 * MB)));
        assertTrue(d.observe(new Sample(10, 9 * MB, 16 * MB, 55 * MB)));
    }

    @Test
    void aSlowTrickleOfAllocationAcrossAYoungCollectionIsStillIdle() {
        Detector d = detector();
        d.observe(new Sample(10, 14 * MB, 16 * MB, 55 * MB));
        // one young collection: 2 MB to fill eden, 1 MB since
        assertFalse(d.observe(new Sample(11, 1 * MB, 16 * MB, 55 * MB)));
        assertTrue(d.observe(new Sample(11, 2 * MB, 16 * MB, 55 * MB)));
    }

    @Test
    void aHeapThatATrimMadeTightIsLeftAloneUntilWorkHasGrownIt() {
        Detector d = detector();
        d.observe(new Sample(10, 2 * MB, 16 * MB, 55 * MB));
        d.observe(new Sample(10, 3 * MB, 16 * MB, 55 * MB));
        assertTrue(d.observe(new Sample(10, 4 * MB, 16 * MB, 55 * MB)));
        d.trimmed(new Sample(14, 0, 8 * MB, 26 * MB));
        for (int i = 1; i <= 5; i++) {
            // idle, a young collection now and then, the heap grows a little: not worth another trim
            assertFalse(d.observe(new Sample(14 + i / 3, i * MB / 2, 8 * MB, 28 * MB)), "check " + i);
        }
        // work: many collections, the heap grew to 60 MB; then quiet again
        assertFalse(d.observe(new Sample(200, 3 * MB, 16 * MB, 60 * MB)));
        assertFalse(d.observe(new Sample(200, 4 * MB, 16 * MB, 60 * MB)));
        assertTrue(d.observe(new Sample(200, 5 * MB, 16 * MB, 60 * MB)), "grown 34 MB since the trim");
    }

    @Test
    void aSerialHeapThatAStartOrABurstGrewIsGivenBackAndTheJvmsRatiosArePutBack() throws Exception {
        for (String steps : List.of("-XX:+ShrinkHeapInSteps", "-XX:-ShrinkHeapInSteps")) {
            Map<String, Long> out = probe("-XX:+UseSerialGC", "-Xms16m", "-Xmx256m", steps);
            long grown = out.get("grown");
            assertTrue(grown > 100 * MB, steps + ": the probe's heap did not grow: " + out);
            assertEquals(grown, out.get("idle"), steps + ": an idle JVM gives nothing back on its own: " + out);
            assertEquals(grown, out.get("before"), steps + ": " + out);
            // 8 MB live: a heap of a few tens of MB, not the 130+ MB the burst left
            assertTrue(out.get("after") < 48 * MB, steps + ": not given back: " + out);
            assertEquals(40, out.get("min"), steps + ": MinHeapFreeRatio not put back: " + out);
            assertEquals(70, out.get("max"), steps + ": MaxHeapFreeRatio not put back: " + out);
            assertEquals(8, out.get("live"), steps + ": " + out);
        }
    }

    private static Map<String, Long> probe(String... jvmOptions) throws Exception {
        String java = System.getProperty("java.home") + File.separator + "bin" + File.separator + "java";
        List<String> cmd = new java.util.ArrayList<>(List.of(java));
        cmd.addAll(List.of(jvmOptions));
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), IdleHeapTrimProbe.class.getName()));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "probe did not finish");
        String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        assertEquals(0, p.exitValue(), text);
        Map<String, Long> out = new HashMap<>();
        for (String kv : text.lines().reduce((a, b) -> b).orElse("").split(" ")) {
            String[] parts = kv.split("=");
            out.put(parts[0], Long.parseLong(parts[1]));
        }
        return out;
    }
}
