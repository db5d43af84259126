package io.fulfillmenthub.store;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.JarURLConnection;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Stream;

/**
 * Reads the admin-editable folders ({@code catalog/}, {@code routes/}, {@code kamelets/}): from the configured
 * directory when it exists, else from the copy packaged in the application, so the jar runs from anywhere.
 */
public final class HubFiles {

    private HubFiles() {
    }

    /** File name -> content of every file ending in one of the suffixes, sorted by name. */
    public static Map<String, String> read(Path dir, String packagedFolder, String... suffixes) {
        Map<String, String> out = new TreeMap<>();
        if (dir != null && Files.isDirectory(dir)) {
            try (Stream<Path> files = Files.list(dir)) {
                for (Path f : files.sorted().toList()) {
                    if (Files.isRegularFile(f) && matches(f.getFileName().toString(), suffixes)) {
                        out.put(f.getFileName().toString(), Files.readString(f));
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return out;
        }
        for (String name : packaged(packagedFolder)) {
            if (matches(name, suffixes)) {
                try (InputStream in = loader().getResourceAsStream(packagedFolder + "/" + name)) {
                    if (in != null) {
                        out.put(name, new String(in.readAllBytes(), StandardCharsets.UTF_8));
                    }
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        }
        return out;
    }

    private static boolean matches(String name, String... suffixes) {
        for (String s : suffixes) {
            if (name.endsWith(s)) {
                return true;
            }
        }
        return false;
    }

    private static ClassLoader loader() {
        ClassLoader cl = Thread.currentThread().getContextClassLoader();
        return cl == null ? HubFiles.class.getClassLoader() : cl;
    }

    /** Whether the application packages a file of that name in the folder. */
    public static boolean isPackaged(String folder, String name) {
        return loader().getResource(folder + "/" + name) != null;
    }

    /** Names of the files in a packaged folder: read from its {@code index.list}, else by listing the folder. */
    static List<String> packaged(String folder) {
        List<String> names = new ArrayList<>();
        try (InputStream idx = loader().getResourceAsStream(folder + "/index.list")) {
            if (idx != null) {
                for (String line : new String(idx.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                    if (!line.isBlank() && !line.startsWith("#")) {
                        names.add(line.trim());
                    }
                }
                return names;
            }
            URL url = loader().getResource(folder);
            if (url == null) {
                return names;
            }
            if ("file".equals(url.getProtocol())) {
                try (Stream<Path> files = Files.list(Paths.get(url.toURI()))) {
                    files.map(p -> p.getFileName().toString()).sorted().forEach(names::add);
                }
            } else if ("jar".equals(url.getProtocol())) {
                JarURLConnection conn = (JarURLConnection) url.openConnection();
                try (JarFile jar = conn.getJarFile()) {
                    Enumeration<JarEntry> entries = jar.entries();
                    while (entries.hasMoreElements()) {
                        String n = entries.nextElement().getName();
                        if (n.startsWith(folder + "/") && n.length() > folder.length() + 1
                                && n.indexOf('/', folder.length() + 1) < 0) {
                            names.add(n.substring(folder.length() + 1));
                        }
                    }
                }
            }
        } catch (Exception e) {
            throw new IllegalStateException("cannot list packaged folder " + folder, e);
        }
        return names;
    }
}
