package io.fulfillmenthub.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ./hub} as the README runs it, with stand-in JDKs whose {@code java} prints the arguments it was given: which
 * JDK it runs on (HUB_JAVA, JAVA_HOME, the java on PATH, or a JDK 25 or later installed beside an older one), the
 * C-heap trim option passed only to a JDK that knows it (17.0.9 or later; an older JVM refuses to start on it), every
 * other default option passed as it is, and the start-up archive: written at the stop of a first start, loaded by the
 * next, made again after a new build or on another JDK (an AOT cache on 25 or later, AppCDS before).
 */
class HubLauncherTest {

    @TempDir
    Path dir;

    Map<String, String> env = new HashMap<>();

    @BeforeEach
    void launcher() throws IOException {
        Files.copy(Path.of("hub"), dir.resolve("hub"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        Files.createDirectories(dir.resolve("target/quarkus-app"));
        Files.writeString(dir.resolve("target/quarkus-app/quarkus-run.jar"), "");
        Files.createDirectories(dir.resolve("jvm"));
        env.put("HUB_JVM_DIR", dir.resolve("jvm").toString()); // no JDK installed beside unless a test puts one
        env.put("HUB_CDS", "false");
    }

    /** A stand-in JDK of that version under {@code parent}: its java prints its home and its arguments. */
    Path jdk(Path parent, String version) throws IOException {
        Path home = parent.resolve("jdk-" + version);
        Path bin = Files.createDirectories(home.resolve("bin"));
        Files.writeString(home.resolve("release"), "IMPLEMENTOR=\"test\"\nJAVA_VERSION=\"" + version
                + "\"\nJAVA_VERSION_DATE=\"2025-04-15\"\n");
        Path java = Files.writeString(bin.resolve("java"),
                "#!/bin/sh\necho \"home:" + home + "\"\nfor a in \"$@\"; do echo \"arg:$a\"; done\n");
        Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwxr-xr-x"));
        return home;
    }

    String run(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("bash", dir.resolve("hub").toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().remove("HUB_JAVA_OPTS");
        pb.environment().remove("JAVA_OPTS");
        pb.environment().remove("HUB_JAVA");
        pb.environment().remove("JAVA_HOME");
        pb.environment().putAll(env);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), "./hub finished");
        assertEquals(0, p.exitValue(), out);
        return out;
    }

    /** The arguments ./hub gave java, with the java on PATH being a stand-in JDK of that version. */
    List<String> javaArgs(String jdkVersion) throws IOException, InterruptedException {
        onPath(jdk(dir, jdkVersion));
        return args(run());
    }

    void onPath(Path home) {
        env.put("PATH", home.resolve("bin") + ":" + System.getenv("PATH"));
    }

    static List<String> args(String out) {
        return out.lines().filter(l -> l.startsWith("arg:")).map(l -> l.substring(4)).toList();
    }

    static String home(String out) {
        return out.lines().filter(l -> l.startsWith("home:")).map(l -> l.substring(5)).findFirst().orElse(null);
    }

    @Test
    void theNativeHeapTrimGoesOnlyToAJdkThatKnowsIt() throws Exception {
        List<String> defaults = CommonPoolTest.hubDefaults();
        assertTrue(defaults.contains("-XX:TrimNativeHeapInterval=5000"), "./hub trims the C heap by default");

        List<String> recent = javaArgs("17.0.15");
        assertEquals(defaults, recent.subList(0, defaults.size()), "17.0.15 is given every default option");
        assertEquals(List.of("-jar", dir.resolve("target/quarkus-app/quarkus-run.jar").toString()),
                recent.subList(defaults.size(), recent.size()));

        List<String> old = javaArgs("17.0.8");
        assertFalse(old.stream().anyMatch(a -> a.startsWith("-XX:TrimNativeHeapInterval")), old.toString());
        assertFalse(old.contains(""), "no empty argument left in its place: " + old);
        assertEquals(defaults.stream().filter(a -> !a.startsWith("-XX:TrimNativeHeapInterval")).toList(),
                old.subList(0, defaults.size() - 1), "17.0.8 is given every other default option");

        assertTrue(javaArgs("21.0.2").contains("-XX:TrimNativeHeapInterval=5000"), "JDK 21");
        assertFalse(javaArgs("17").contains("-XX:TrimNativeHeapInterval=5000"), "JDK 17 GA");
    }

    @Test
    void aJdk25InstalledBesideAnOlderJavaOnPathIsTheOneThatRuns() throws Exception {
        Path jvm = dir.resolve("jvm");
        Path path17 = jdk(dir, "17.0.15");
        onPath(path17);
        assertEquals(path17.toString(), home(run()), "nothing newer installed: the java on PATH");

        jdk(jvm, "21.0.4");
        assertEquals(path17.toString(), home(run()), "a JDK 21 beside it is not taken: no AOT cache before 25");

        Path jdk25 = jdk(jvm, "25.0.3");
        Path jdk26 = jdk(jvm, "26.0.1");
        String out = run();
        assertEquals(jdk26.toString(), home(out), "the newest JDK of 25 or later");
        List<String> a = args(out);
        assertTrue(a.contains("--sun-misc-unsafe-memory-access=allow"), "no Unsafe warning at every start: " + a);
        assertTrue(a.contains("-XX:TrimNativeHeapInterval=5000"), a.toString());

        onPath(jdk25);
        assertEquals(jdk25.toString(), home(run()), "a java of 25 or later on PATH is kept");

        onPath(path17);
        env.put("JAVA_HOME", path17.toString());
        assertEquals(path17.toString(), home(run()), "JAVA_HOME is the user's choice");
        env.put("HUB_JAVA", jdk25.resolve("bin/java").toString());
        assertEquals(jdk25.toString(), home(run()), "HUB_JAVA before JAVA_HOME");
    }

    @Test
    void theStartUpArchiveIsWrittenAtTheFirstStopAndLoadedAfter() throws Exception {
        env.remove("HUB_CDS");
        Path app = dir.resolve("target/quarkus-app");
        Path jdk25 = jdk(dir.resolve("jvm"), "25.0.3");
        onPath(jdk(dir, "17.0.15"));

        assertEquals("written-at-stop hub.aot " + jdk25.resolve("bin/java") + " 25.0.3", run("--archive-state").trim());
        List<String> first = args(run());
        assertTrue(first.contains("-XX:AOTCacheOutput=" + app.resolve("hub.aot")), "JDK 25: an AOT cache " + first);
        assertFalse(first.stream().anyMatch(x -> x.startsWith("-XX:AOTCache=")), first.toString());
        assertTrue(first.contains("-XX:-AOTRecordTraining"), "C1 only: no method profiles recorded " + first);
        // what the JVM does as it stops
        Files.writeString(app.resolve("hub.aot"), "cache");

        assertTrue(run("--archive-state").startsWith("used hub.aot "));
        List<String> second = args(run());
        assertTrue(second.contains("-XX:AOTCache=" + app.resolve("hub.aot")), second.toString());
        assertFalse(second.stream().anyMatch(x -> x.startsWith("-XX:AOTCacheOutput")), second.toString());
        assertTrue(second.contains("-XX:-AOTReplayTraining"), "C1 only: none replayed " + second);
        // C2 (options of the user's own): the profiles are recorded and replayed as the JDK does by default
        env.put("HUB_JAVA_OPTS", "-XX:+UseSerialGC -Xmx256m");
        List<String> c2 = args(run());
        assertTrue(c2.contains("-XX:AOTCache=" + app.resolve("hub.aot")), c2.toString());
        assertFalse(c2.stream().anyMatch(x -> x.contains("Training")), c2.toString());
        env.remove("HUB_JAVA_OPTS");

        // a new build: a file of the application newer than the cache
        Files.setLastModifiedTime(app.resolve("hub.aot"), FileTime.fromMillis(System.currentTimeMillis() - 60_000));
        Files.writeString(app.resolve("quarkus-run.jar"), "");
        assertTrue(run("--archive-state").startsWith("written-at-stop hub.aot "), "stale after a build");
        assertTrue(args(run()).contains("-XX:AOTCacheOutput=" + app.resolve("hub.aot")));
        assertFalse(Files.exists(app.resolve("hub.aot")), "the stale cache is removed before the JVM writes a new one");
        Files.writeString(app.resolve("hub.aot"), "cache");
        assertTrue(run("--archive-state").startsWith("used hub.aot "));

        // another JDK 25 build: its cache is not this one's
        Files.writeString(dir.resolve("jvm/jdk-25.0.3/release"), "JAVA_VERSION=\"25.0.4\"\n");
        assertTrue(run("--archive-state").startsWith("written-at-stop hub.aot "), "another JDK");

        // JDK 17: an AppCDS archive, written then loaded
        env.put("HUB_JAVA", dir.resolve("jdk-17.0.15/bin/java").toString());
        List<String> cds = args(run());
        assertTrue(cds.contains("-XX:ArchiveClassesAtExit=" + app.resolve("hub-cds.jsa")), cds.toString());
        assertFalse(cds.contains("--sun-misc-unsafe-memory-access=allow"), "JDK 17 knows no such option: " + cds);
        Files.writeString(app.resolve("hub-cds.jsa"), "archive");
        List<String> cds2 = args(run());
        assertTrue(cds2.contains("-XX:SharedArchiveFile=" + app.resolve("hub-cds.jsa")), cds2.toString());

        env.put("HUB_CDS", "false");
        assertTrue(run("--archive-state").startsWith("off "));
        assertFalse(args(run()).stream().anyMatch(x -> x.contains("hub-cds.jsa") || x.contains("hub.aot")));
    }
}
