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

    ListedMigrations(List<String> names) {
        for (String name : names) {
            resources.add(new Named(name));
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

        Named(String name) {
            this.name = name;
        }

        @Override
        public Reader read() {
            InputStream in = Thread.currentThread().getContextClassLoader().getResourceAsStream("db/migration/" + name);
            if (in == null) {
                throw new UncheckedIOException(new IOException("migration not packaged: " + name));
            }
            return new InputStreamReader(in, StandardCharsets.UTF_8);
        }

        @Override
        public String getAbsolutePath() {
            return "db/migration/" + name;
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
