package io.fulfillmenthub.store;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

import org.flywaydb.core.api.ResourceProvider;
import org.flywaydb.core.api.resource.LoadableResource;

/** Serves Flyway the named migrations from {@code classpath:db/migration}, without listing folders. */
final class ListedMigrations implements ResourceProvider {

    private final List<LoadableResource> resources = new ArrayList<>();

    /**
     * @param database {@code pg} or {@code h2}: a migration found under {@code db/migration/<database>/} (one that
     *                 needs each database's own SQL, such as triggers) is read from there, any other from the folder
     */
    ListedMigrations(List<String> names, String database) {
        ClassLoader cl = Thread.currentThread().getContextClassLoader();
        for (String name : names) {
            String own = "db/migration/" + database + "/" + name;
            resources.add(new Named(name, cl.getResource(own) != null ? own : "db/migration/" + name));
        }
    }

    @Override
    public LoadableResource getResource(String name) {
        return resources.stream().filter(r -> r.getFilename().equals(name) || r.getRelativePath().equals(name))
                .findFirst().orElse(null);
    }

    @Override
    public Collection<LoadableResource> getResources(String prefix, String[] suffixes) {
        List<LoadableResource> out = new ArrayList<>();
        for (LoadableResource r : resources) {
            String f = r.getFilename();
            if (!f.startsWith(prefix)) {
                continue;
            }
            for (String s : suffixes) {
                if (f.endsWith(s)) {
                    out.add(r);
                    break;
                }
            }
        }
        return out;
    }

    private static final class Named extends LoadableResource {
        private final String name;
        private final String path;

        Named(String name, String path) {
            this.name = name;
            this.path = path;
        }

        @Override
        public Reader read() {
            InputStream in = Thread.currentThread().getContextClassLoader().getResourceAsStream(path);
            if (in == null) {
                throw new UncheckedIOException(new IOException("migration not packaged: " + name));
            }
            return new InputStreamReader(in, StandardCharsets.UTF_8);
        }

        @Override
        public String getAbsolutePath() {
            return path;
        }

        @Override
        public String getAbsolutePathOnDisk() {
            return null;
        }

        @Override
        public String getFilename() {
            return name;
        }

        @Override
        public String getRelativePath() {
            return name;
        }
    }
}
