package io.fulfillmenthub.flows;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

/**
 * A route may call any Kamelet packaged in the application, whatever the Kamelets folder holds. The validator asks for
 * each name it meets (listing the packaged folder meant reading every entry of the application's jars).
 */
class PackagedKameletsTest {

    @Test
    void everyKameletOfTheProjectIsPackagedAndFoundByName() throws Exception {
        List<String> names;
        try (Stream<Path> files = Files.list(Path.of("kamelets"))) {
            names = files.map(f -> f.getFileName().toString()).filter(n -> n.endsWith(".kamelet.yaml"))
                    .map(n -> n.substring(0, n.length() - ".kamelet.yaml".length())).toList();
        }
        assertTrue(names.contains("slack-message-sink"), names.toString());
        for (String name : names) {
            assertTrue(FlowLoader.packagedKamelet(name), name);
        }
        assertFalse(FlowLoader.packagedKamelet("no-such-sink"));
    }
}
