package io.fulfillmenthub.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The hub stops in a JVM shutdown hook (Quarkus': Camel stops its routes and lets in-flight exchanges finish, the
 * scheduler's last runs end, the pool closes). H2 by default closes the database in a shutdown hook of its own, which
 * runs at the same time: the hub's last work then failed with "Database is already closed" and was logged as errors on
 * every stop in embedded mode. The hub's H2 options keep the database open until its own connections are closed.
 */
class H2ShutdownTest {

    @TempDir
    Path dir;

    @Test
    void theDatabaseStaysUsableWhileTheHubStops() throws Exception {
        assertEquals("ok", probe(DatabaseConfigSource.H2_OPTIONS), "the hub's H2 options");
        // what the test can tell apart: H2's default closes the database under the stopping application
        assertTrue(probe(DatabaseConfigSource.H2_OPTIONS.replace(";DB_CLOSE_ON_EXIT=FALSE", "")).startsWith("failed"),
                "H2's default closes it at exit");
    }

    private String probe(String options) throws Exception {
        String url = "jdbc:h2:file:" + dir.resolve("db-" + System.nanoTime()).toAbsolutePath() + "/hub;" + options;
        String java = System.getProperty("java.home") + File.separator + "bin" + File.separator + "java";
        Process p = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), Probe.class.getName(), url)
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "probe finished");
        return out.lines().filter(l -> l.startsWith("ok") || l.startsWith("failed")).findFirst().orElse(out);
    }

    /** Opens the database, then uses it from a shutdown hook a moment after the JVM began to exit. */
    public static final class Probe {
        public static void main(String[] args) throws Exception {
            Connection c = DriverManager.getConnection(args[0], "sa", "");
            try (Statement s = c.createStatement()) {
                s.execute("create table t (v int)");
            }
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try {
                    Thread.sleep(500); // the application's own stopping work comes after exit began
                    try (Statement s = c.createStatement()) {
                        s.execute("insert into t values (1)");
                        try (ResultSet rs = s.executeQuery("select count(*) from t")) {
                            rs.next();
                            System.out.println(rs.getInt(1) == 1 ? "ok" : "failed: count " + rs.getInt(1));
                        }
                    }
                    c.close();
                } catch (Exception e) {
                    System.out.println("failed: " + e.getMessage());
                }
            }));
            System.exit(0);
        }
    }
}
