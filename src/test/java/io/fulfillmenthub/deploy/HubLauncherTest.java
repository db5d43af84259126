package io.fulfillmenthub.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ./hub} as the README runs it, with a stand-in {@code java} that prints the arguments it was given: the C-heap
 * trim option is passed only to a JDK that knows it (17.0.9 or later; an older JVM refuses to start on it), and every
 * other default option is passed as it is.
 */
class HubLauncherTest {

    @TempDir
    Path dir;

    List<String> javaArgs(String jdkVersion) throws IOException, InterruptedException {
        Files.copy(Path.of("hub"), dir.resolve("hub"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        Files.createDirectories(dir.resolve("target/quarkus-app"));
        Files.writeString(dir.resolve("target/quarkus-app/quarkus-run.jar"), "");
        Path bin = Files.createDirectories(dir.resolve("jdk-" + jdkVersion + "/bin"));
        Files.writeString(bin.getParent().resolve("release"), "IMPLEMENTOR=\"test\"\nJAVA_VERSION=\"" + jdkVersion
                + "\"\nJAVA_VERSION_DATE=\"2025-04-15\"\n");
        Path java = Files.writeString(bin.resolve("java"), "#!/bin/sh\nfor a in \"$@\"; do echo \"arg:$a\"; done\n");
        Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwxr-xr-x"));
        ProcessBuilder pb = new ProcessBuilder("bash", dir.resolve("hub").toString()).redirectErrorStream(true);
        pb.environment().put("PATH", bin + ":" + System.getenv("PATH"));
        pb.environment().put("HUB_CDS", "false");
        pb.environment().remove("HUB_JAVA_OPTS");
        pb.environment().remove("JAVA_OPTS");
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), "./hub finished");
        assertEquals(0, p.exitValue(), out);
        return out.lines().filter(l -> l.startsWith("arg:")).map(l -> l.substring(4)).toList();
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
}
