package io.fulfillmenthub.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

/**
 * The JDK HTTP client (the management hub's client) completes every asynchronous call on CompletableFuture's default
 * executor, which starts a new thread per task when the JVM's common pool has fewer than two threads: on any machine
 * or container of two CPUs or fewer. A JVM started with {@code ./hub}'s default options (the same as deploy/base's,
 * {@link DeployManifestsTest}) must not do that on a two-CPU machine nor on a one-CPU one, on the JDK the suite runs on
 * (.ci/run: 17, then 25).
 */
class CommonPoolTest {

    /** Run in a child JVM: prints the class of CompletableFuture's default executor. */
    public static void main(String[] args) {
        System.out.println("executor=" + new CompletableFuture<Void>().defaultExecutor().getClass().getName());
    }

    static String executorWith(List<String> jvmOptions, int cpus) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-XX:ActiveProcessorCount=" + cpus);
        cmd.addAll(jvmOptions);
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), CommonPoolTest.class.getName()));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "child JVM finished");
        assertEquals(0, p.exitValue(), out);
        Matcher m = Pattern.compile("executor=(\\S+)").matcher(out);
        assertTrue(m.find(), out);
        return m.group(1);
    }

    static List<String> hubDefaults() throws IOException {
        return Arrays.asList(DeployManifestsTest.hubJavaOptions().trim().split("\\s+"));
    }

    @Test
    void theHubsJvmOptionsKeepAnswersOffNewThreadsOnSmallMachines() throws Exception {
        // the JDK's own default, to show what the options prevent; JDK 25 no longer starts a thread per task (./hub
        // runs on it where installed), JDK 17 (the build's, and ./hub's elsewhere) does
        String jdkDefault = executorWith(List.of(), 2);
        if (Runtime.version().feature() < 25) {
            assertTrue(jdkDefault.endsWith("ThreadPerTaskExecutor"), "JDK default on 2 CPUs: " + jdkDefault);
        }
        for (int cpus : new int[] {1, 2}) {
            assertEquals("java.util.concurrent.ForkJoinPool", executorWith(hubDefaults(), cpus), cpus + " CPU(s)");
        }
    }
}
