package io.fulfillmenthub.testsupport;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Locates the shared payload samples: {@code ../shared/samples}, else system property {@code hub.samples.dir}. */
public final class Samples {
    private Samples() {
    }

    public static Path dir() {
        Path relative = Path.of("..", "shared", "samples");
        if (Files.isDirectory(relative)) {
            return relative;
        }
        String prop = System.getProperty("hub.samples.dir");
        if (prop != null && Files.isDirectory(Path.of(prop))) {
            return Path.of(prop);
        }
        return null;
    }

    /** The sample file, or the test is skipped (assumption) when the samples are not available. */
    public static Path file(String relativePath) {
        Path dir = dir();
        assumeTrue(dir != null, "samples not found: ../shared/samples or -Dhub.samples.dir");
        Path file = dir.resolve(relativePath);
        assumeTrue(Files.isRegularFile(file), "sample missing: " + file);
        return file;
    }

    public static byte[] bytes(String relativePath) throws IOException {
        return Files.readAllBytes(file(relativePath));
    }
}
