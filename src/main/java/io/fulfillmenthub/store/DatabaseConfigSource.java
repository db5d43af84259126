package io.fulfillmenthub.store;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;

import org.eclipse.microprofile.config.spi.ConfigSource;

/**
 * Chooses the database at run time, from the operator's environment: {@code HUB_DB_URL} set to a PostgreSQL JDBC URL
 * activates the {@code pg} datasource; unset (or an H2 URL) keeps the embedded H2 file database under
 * {@code HUB_DATA_DIR}. Environment and system properties still override what this source says.
 */
public class DatabaseConfigSource implements ConfigSource {

    /**
     * PostgreSQL's dialect, and the database kept open until the hub's pool closes it: H2's own close at JVM exit runs
     * beside the hub's stop and failed its last work ({@code H2ShutdownTest}).
     */
    static final String H2_OPTIONS = "MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DEFAULT_NULL_ORDERING=HIGH;DB_CLOSE_ON_EXIT=FALSE";

    private final Map<String, String> values = new HashMap<>();

    public DatabaseConfigSource() {
        String url = firstNonBlank(System.getProperty("hub.db.url"), System.getenv("HUB_DB_URL"));
        if (url != null && url.startsWith("jdbc:postgresql:")) {
            values.put("hub.db.kind", "pg");
            values.put("quarkus.datasource.pg.active", "true");
            values.put("quarkus.datasource.h2.active", "false");
            values.put("quarkus.datasource.pg.jdbc.url", url);
        } else {
            values.put("hub.db.kind", "h2");
            values.put("quarkus.datasource.pg.active", "false");
            values.put("quarkus.datasource.h2.active", "true");
            if (url != null && url.startsWith("jdbc:h2:")) {
                values.put("quarkus.datasource.h2.jdbc.url", url);
            } else {
                String dataDir = firstNonBlank(System.getenv("HUB_DATA_DIR"));
                if (dataDir != null) {
                    // H2 refuses paths relative to the working directory: make the operator's directory absolute
                    values.put("quarkus.datasource.h2.jdbc.url", "jdbc:h2:file:"
                            + java.nio.file.Path.of(dataDir).toAbsolutePath().normalize() + "/db/hub;" + H2_OPTIONS);
                }
            }
        }
    }

    private static String firstNonBlank(String... candidates) {
        for (String c : candidates) {
            if (c != null && !c.isBlank()) {
                return c.trim();
            }
        }
        return null;
    }

    @Override
    public Set<String> getPropertyNames() {
        return values.keySet();
    }

    @Override
    public String getValue(String propertyName) {
        return values.get(propertyName);
    }

    @Override
    public String getName() {
        return "hub-database";
    }

    @Override
    public int getOrdinal() {
        // above application.properties (250), below environment variables (300) and system properties (400)
        return 275;
    }
}
