package io.fulfillmenthub.flows;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import io.fulfillmenthub.notifications.SinkJobs;
import io.fulfillmenthub.ops.Aside;
import io.fulfillmenthub.store.HubFiles;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.arc.Arc;
import io.quarkus.arc.ArcContainer;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.scheduler.Scheduled;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.apache.camel.CamelContext;
import org.apache.camel.Route;
import org.apache.camel.model.ModelCamelContext;
import org.apache.camel.spi.Resource;
import org.apache.camel.support.PluginHelper;
import org.apache.camel.support.ResourceHelper;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Loads the YAML pipelines admins edit ({@code HUB_ROUTES_DIR}, default the top-level {@code routes/}) and the
 * Kamelets ({@code HUB_KAMELETS_DIR}), the copies packaged in the application when a folder is absent, and reloads
 * them safely while the hub runs:
 * <ol>
 *   <li>the folders are watched (looked at every {@code hub.flows.watch-interval}; a change must stay the same for
 *       one more look, so a half-written file is not taken), and {@code POST /api/admin/v1/flows/reload} reloads now;</li>
 *   <li>the new files are parsed into a scratch model and validated ({@link FlowValidator}) before anything running
 *       is touched; on any problem nothing changes, the problem is logged, counted
 *       ({@code hub_flow_reload_failures_total}) and shown by {@code GET /api/admin/v1/flows};</li>
 *   <li>only the routes of changed files are replaced (a changed Kamelet also those of the files that call it): each is
 *       stopped gracefully (consumers first, in-flight exchanges finish, up to {@code hub.flows.stop-timeout}), removed
 *       with the Kamelet routes it created, and the new definitions are started; if starting fails, the previous
 *       files are loaded back.</li>
 * </ol>
 */
@ApplicationScoped
public class FlowLoader {

    private static final Logger LOG = Logger.getLogger(FlowLoader.class);

    @ConfigProperty(name = "hub.routes.dir", defaultValue = "routes")
    Path routesDir;
    @ConfigProperty(name = "hub.kamelets.dir", defaultValue = "kamelets")
    Path kameletsDir;
    @ConfigProperty(name = "hub.flows.stop-timeout", defaultValue = "30s")
    Duration stopTimeout;

    @Inject
    CamelContext camel;
    @Inject
    FlowValidator validator;
    @Inject
    MeterRegistry registry;

    /** A loaded file. */
    public static class FileState {
        public String name;
        public String kind;
        public String sha256;
        public Instant loadedAt;
        public List<String> routes = new ArrayList<>();
        transient String content;
    }

    /** What a reload did. */
    public static class Report {
        public Instant at;
        /** start, watch or api */
        public String trigger;
        /** applied, unchanged, refused (validation) or failed (could not start; the previous files were restored) */
        public String outcome;
        public List<String> changed = new ArrayList<>();
        public List<FlowValidator.Problem> errors = new ArrayList<>();
    }

    /** What {@code GET /api/admin/v1/flows} shows. */
    public static class Status {
        public String routesDir;
        public String kameletsDir;
        public boolean watching;
        public List<FileState> files = new ArrayList<>();
        public Report lastReload;
        public long reloads;
        public long failures;
    }

    private final Map<String, FileState> routeFiles = new TreeMap<>();
    private final Map<String, FileState> kameletFiles = new TreeMap<>();
    private Report last;
    private long reloads;
    private long failures;
    private String refusedSnapshot;
    private String seenSnapshot;
    private Counter failureCounter;
    private Counter reloadCounter;
    private volatile boolean started;
    private CompletableFuture<Void> loading;

    /**
     * Loads the folders' routes on a thread of its own (parsing, validating and starting them takes 0.3-0.5 s of a
     * cold JVM), while the main thread goes on with the store and the other start-up observers; {@link #awaitStart}
     * waits for it before the HTTP server listens, so a start with broken routes still fails.
     */
    void onStart(@Observes @Priority(2) StartupEvent ev) {
        failureCounter = Counter.builder("hub_flow_reload_failures")
                .description("reloads of routes/ and kamelets/ refused or rolled back").register(registry);
        reloadCounter = Counter.builder("hub_flow_reloads").description("reloads of routes/ and kamelets/ applied")
                .register(registry);
        loading = Aside.begin("flow-loader", this::loadAtStart);
    }

    /** The last start-up observer: every other one has run by now. */
    void awaitStart(@Observes @Priority(10_000) StartupEvent ev) {
        Aside.join(loading);
        loading = null;
    }

    private Void loadAtStart() {
        Report r = reload("start");
        if (!"applied".equals(r.outcome) && !"unchanged".equals(r.outcome)) {
            throw new IllegalStateException("the YAML routes cannot be loaded: " + r.errors);
        }
        started = true;
        LOG.infof("Loaded %d YAML route file(s) from %s: %s; Kamelets from %s", routeFiles.size(),
                Files.isDirectory(routesDir) ? routesDir.toAbsolutePath() : "the packaged routes", routeFiles.keySet(),
                Files.isDirectory(kameletsDir) ? kameletsDir.toAbsolutePath() : "the packaged kamelets");
        return null;
    }

    /** Adds the routes of the given files (name -> YAML) to the running context, unvalidated (kept for callers). */
    public List<String> load(Map<String, String> files) throws Exception {
        List<Resource> resources = new ArrayList<>();
        for (Map.Entry<String, String> f : files.entrySet()) {
            resources.add(ResourceHelper.fromString("file:" + f.getKey(), f.getValue()));
        }
        PluginHelper.getRoutesLoader(camel).loadRoutes(resources);
        return new ArrayList<>(files.keySet());
    }

    // ------------------------------------------------------------------------------------------------ watch

    @Scheduled(every = "${hub.flows.watch-interval:2s}", delayed = "5s",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void watch() {
        if (!started || !watching()) {
            return;
        }
        try {
            String snapshot = snapshot(readRoutes(), readKamelets());
            String loaded;
            synchronized (this) {
                loaded = snapshot(contents(routeFiles), contents(kameletFiles));
            }
            if (snapshot.equals(loaded) || snapshot.equals(refusedSnapshot)) {
                seenSnapshot = null;
                return;
            }
            if (!snapshot.equals(seenSnapshot)) {
                seenSnapshot = snapshot; // look once more: take the files only when they stopped changing
                return;
            }
            reload("watch");
        } catch (RuntimeException e) {
            LOG.warnf("flow folders not readable: %s", e.getMessage());
        }
    }

    boolean watching() {
        return Files.isDirectory(routesDir) || Files.isDirectory(kameletsDir);
    }

    // ------------------------------------------------------------------------------------------------ reload

    /** Validates the folders' files and, when they are sound, replaces the routes of the files that changed. */
    public synchronized Report reload(String trigger) {
        Report report = new Report();
        report.at = Instant.now();
        report.trigger = trigger;
        Map<String, String> newRoutes;
        Map<String, String> newKamelets;
        try {
            newRoutes = readRoutes();
            newKamelets = readKamelets();
        } catch (RuntimeException e) {
            report.outcome = "refused";
            report.errors.add(new FlowValidator.Problem(null, "cannot read the folders: " + e.getMessage()));
            return refused(report, null);
        }
        Set<String> changedKamelets = changed(contents(kameletFiles), newKamelets);
        Set<String> changedRoutes = changed(contents(routeFiles), newRoutes);
        // a changed Kamelet also replaces the routes of every file that calls it (their endpoints hold the old one)
        for (String k : changedKamelets) {
            String name = k.replaceFirst("\\.kamelet\\.ya?ml$", "");
            for (Map.Entry<String, FileState> f : routeFiles.entrySet()) {
                if (f.getValue().content.contains("kamelet:" + name)) {
                    changedRoutes.add(f.getKey());
                }
            }
            newRoutes.forEach((file, yaml) -> {
                if (yaml.contains("kamelet:" + name)) {
                    changedRoutes.add(file);
                }
            });
        }
        if (changedRoutes.isEmpty() && changedKamelets.isEmpty()) {
            report.outcome = "unchanged";
            if (!"watch".equals(trigger)) {
                last = report;
            }
            return report;
        }
        report.changed.addAll(changedKamelets);
        report.changed.addAll(changedRoutes);
        String snapshot = snapshot(newRoutes, newKamelets);

        // the new files are validated as a whole against the routes no file defines (Java, REST, Kamelet routes)
        Set<String> fileRoutes = new LinkedHashSet<>();
        for (FileState s : routeFiles.values()) {
            fileRoutes.addAll(s.routes);
        }
        report.errors.addAll(validator.validate(newRoutes, newKamelets, FlowLoader::packagedKamelet, fileRoutes));
        if (!report.errors.isEmpty()) {
            report.outcome = "refused";
            return refused(report, snapshot);
        }

        Map<String, FileState> oldRoutes = new TreeMap<>(routeFiles);
        try {
            replace(changedRoutes, changedKamelets, newRoutes, newKamelets);
            report.outcome = "applied";
            refusedSnapshot = null;
            reloads++;
            if (reloadCounter != null && !"start".equals(trigger)) {
                reloadCounter.increment();
            }
            last = report;
            if (!"start".equals(trigger)) {
                LOG.infof("Flows reloaded (%s): %s", trigger, report.changed);
            }
            return report;
        } catch (Exception e) {
            if (!abandonedStart(trigger)) {
                LOG.errorf(e, "Flows reload (%s) failed while starting the new routes; restoring the previous files", trigger);
            }
            report.outcome = "failed";
            report.errors.add(new FlowValidator.Problem(null, FlowValidator.message(e)));
            restore(oldRoutes, changedRoutes);
            return refused(report, snapshot);
        }
    }

    private Report refused(Report report, String snapshot) {
        refusedSnapshot = snapshot;
        failures++;
        if (failureCounter != null) {
            failureCounter.increment();
        }
        last = report;
        if (abandonedStart(report.trigger)) {
            LOG.debugf("Flows load at start abandoned, the application is stopping: %s", report.errors);
            return report;
        }
        LOG.errorf("Flows reload (%s) %s; the running routes stay as they were: %s", report.trigger, report.outcome,
                report.errors);
        return report;
    }

    /**
     * The load at start, begun aside, while the start failed elsewhere and the application is stopping: the load's
     * errors are consequences of that, not worth an error of their own.
     */
    private static boolean abandonedStart(String trigger) {
        ArcContainer container = Arc.container();
        return "start".equals(trigger) && (container == null || !container.isRunning());
    }

    private void replace(Set<String> changedRoutes, Set<String> changedKamelets, Map<String, String> newRoutes,
            Map<String, String> newKamelets) throws Exception {
        List<String> removeIds = new ArrayList<>();
        for (String f : changedRoutes) {
            FileState s = routeFiles.get(f);
            if (s != null) {
                removeIds.addAll(s.routes);
            }
        }
        stopAndRemove(removeIds);
        // a changed Kamelet: its template and every route made from it go (they are shared by every route that
        // calls the Kamelet, so only a Kamelet change removes them); the routes re-create them from the new file
        ModelCamelContext model = (ModelCamelContext) camel;
        Set<String> templates = new TreeSet<>();
        for (String k : changedKamelets) {
            templates.add(k.replaceFirst("\\.kamelet\\.ya?ml$", ""));
        }
        if (!templates.isEmpty()) {
            List<String> children = new ArrayList<>();
            for (Route r : camel.getRoutes()) {
                org.apache.camel.model.RouteDefinition d = model.getRouteDefinition(r.getRouteId());
                Object template = d == null || d.getTemplateParameters() == null ? null
                        : d.getTemplateParameters().get("templateId");
                if (r.isCreatedByKamelet() && template != null && templates.contains(template.toString())) {
                    children.add(r.getRouteId());
                }
            }
            stopAndRemove(children);
            for (String name : templates) {
                model.removeRouteTemplateDefinitions(name);
                camel.removeEndpoints("kamelet://" + name + "*");
                camel.removeEndpoints("kamelet:" + name + "*");
            }
        }
        for (String f : changedRoutes) {
            routeFiles.remove(f);
        }
        kameletFiles.keySet().removeIf(k -> !newKamelets.containsKey(k));
        for (String k : changedKamelets) {
            if (newKamelets.containsKey(k)) {
                kameletFiles.put(k, state(k, "kamelet", newKamelets.get(k)));
            }
        }
        for (String f : new TreeSet<>(changedRoutes)) {
            if (newRoutes.containsKey(f)) {
                loadFile(f, newRoutes.get(f));
            }
        }
    }

    private void loadFile(String name, String yaml) throws Exception {
        ModelCamelContext model = (ModelCamelContext) camel;
        Set<Object> before = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        before.addAll(model.getRouteDefinitions());
        try {
            PluginHelper.getRoutesLoader(camel).loadRoutes(ResourceHelper.fromString("file:" + name, yaml));
        } catch (Exception e) {
            List<String> added = new ArrayList<>();
            for (org.apache.camel.model.RouteDefinition d : model.getRouteDefinitions()) {
                if (!before.contains(d) && d.getRouteId() != null) {
                    added.add(d.getRouteId());
                }
            }
            stopAndRemove(added);
            throw e;
        }
        FileState s = state(name, "route", yaml);
        for (org.apache.camel.model.RouteDefinition d : model.getRouteDefinitions()) {
            if (!before.contains(d) && !Boolean.TRUE.equals(d.isKamelet()) && d.getRouteId() != null) {
                s.routes.add(d.getRouteId());
            }
        }
        routeFiles.put(name, s);
    }

    /** Puts the previous files back after a failed start (best effort; logged). */
    private void restore(Map<String, FileState> oldRoutes, Set<String> changedRoutes) {
        try {
            List<String> ids = new ArrayList<>();
            for (String f : changedRoutes) {
                FileState s = routeFiles.remove(f);
                if (s != null) {
                    ids.addAll(s.routes);
                }
            }
            stopAndRemove(ids);
            for (String f : changedRoutes) {
                FileState old = oldRoutes.get(f);
                if (old != null) {
                    loadFile(f, old.content);
                }
            }
        } catch (Exception e) {
            LOG.errorf(e, "Restoring the previous flows failed: check GET /api/admin/v1/flows");
        }
    }

    /** Graceful stop (consumers of timers and other sources first, then direct routes), then removal. */
    private void stopAndRemove(List<String> ids) throws Exception {
        if (ids.isEmpty()) {
            return;
        }
        List<String> ordered = new ArrayList<>(ids);
        ordered.sort(Comparator.comparing(id -> {
            Route r = camel.getRoute(id);
            return r != null && r.getEndpoint().getEndpointUri().startsWith("direct:") ? 1 : 0;
        }));
        Set<String> gone = new LinkedHashSet<>(ordered);
        for (String id : ordered) {
            if (camel.getRoute(id) != null) {
                camel.getRouteController().stopRoute(id, stopTimeout.toMillis(), TimeUnit.MILLISECONDS);
            }
        }
        for (String id : gone) {
            if (camel.getRoute(id) != null) {
                camel.removeRoute(id);
            } else {
                org.apache.camel.model.RouteDefinition d = ((ModelCamelContext) camel).getRouteDefinition(id);
                if (d != null) {
                    ((ModelCamelContext) camel).removeRouteDefinition(d);
                }
            }
        }
    }

    // ------------------------------------------------------------------------------------------------ status

    public synchronized Status status() {
        Status s = new Status();
        s.routesDir = Files.isDirectory(routesDir) ? routesDir.toAbsolutePath().toString() : "packaged:routes";
        s.kameletsDir = Files.isDirectory(kameletsDir) ? kameletsDir.toAbsolutePath().toString() : "packaged:kamelets";
        s.watching = watching();
        s.files.addAll(routeFiles.values());
        s.files.addAll(kameletFiles.values());
        s.lastReload = last;
        s.reloads = reloads;
        s.failures = failures;
        return s;
    }

    // ------------------------------------------------------------------------------------------------ helpers

    Map<String, String> readRoutes() {
        return HubFiles.read(routesDir, "routes", ".yaml", ".yml");
    }

    Map<String, String> readKamelets() {
        return HubFiles.read(kameletsDir, "kamelets", ".kamelet.yaml", ".kamelet.yml");
    }

    /**
     * Whether a Kamelet of that name is packaged in the application: resolvable through {@code classpath:kamelets}
     * whatever the folder holds. Looked up by name: listing the packaged folder means reading every entry of the jar.
     */
    static boolean packagedKamelet(String name) {
        return HubFiles.isPackaged("kamelets", name + ".kamelet.yaml") || HubFiles.isPackaged("kamelets", name + ".kamelet.yml");
    }

    private static FileState state(String name, String kind, String content) {
        FileState s = new FileState();
        s.name = name;
        s.kind = kind;
        s.sha256 = SinkJobs.sha256(content);
        s.loadedAt = Instant.now();
        s.content = content;
        return s;
    }

    private static Map<String, String> contents(Map<String, FileState> files) {
        Map<String, String> out = new TreeMap<>();
        files.forEach((k, v) -> out.put(k, v.content));
        return out;
    }

    private static Set<String> changed(Map<String, String> before, Map<String, String> after) {
        Set<String> out = new TreeSet<>();
        for (String k : before.keySet()) {
            if (!Objects.equals(before.get(k), after.get(k))) {
                out.add(k);
            }
        }
        for (String k : after.keySet()) {
            if (!before.containsKey(k)) {
                out.add(k);
            }
        }
        return out;
    }

    private static String snapshot(Map<String, String> routes, Map<String, String> kamelets) {
        StringBuilder sb = new StringBuilder();
        Map<String, String> all = new LinkedHashMap<>();
        routes.forEach((k, v) -> all.put("r:" + k, v));
        kamelets.forEach((k, v) -> all.put("k:" + k, v));
        new TreeMap<>(all).forEach((k, v) -> sb.append(k).append('\0').append(SinkJobs.sha256(v)).append('\n'));
        return SinkJobs.sha256(sb.toString());
    }

    static String utf8(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }
}
