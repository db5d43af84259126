package io.fulfillmenthub.flows;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.fulfillmenthub.store.HubFiles;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.apache.camel.CamelContext;
import org.apache.camel.spi.Resource;
import org.apache.camel.support.PluginHelper;
import org.apache.camel.support.ResourceHelper;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Loads the YAML pipelines admins edit: every {@code *.yaml} of the routes directory ({@code HUB_ROUTES_DIR},
 * default the top-level {@code routes/}; the copy packaged in the application when that folder is absent).
 */
@ApplicationScoped
public class FlowLoader {

    private static final Logger LOG = Logger.getLogger(FlowLoader.class);

    @ConfigProperty(name = "hub.routes.dir", defaultValue = "routes")
    Path routesDir;

    @Inject
    CamelContext camel;

    void onStart(@Observes @Priority(20) StartupEvent ev) throws Exception {
        List<String> loaded = load(HubFiles.read(routesDir, "routes", ".yaml", ".yml"));
        LOG.infof("Loaded %d YAML route file(s) from %s: %s", loaded.size(),
                routesDir.toFile().isDirectory() ? routesDir.toAbsolutePath() : "the packaged routes", loaded);
    }

    /** Adds the routes of the given files (name -> YAML) to the running context. */
    public List<String> load(Map<String, String> files) throws Exception {
        List<Resource> resources = new ArrayList<>();
        for (Map.Entry<String, String> f : files.entrySet()) {
            resources.add(ResourceHelper.fromString("file:" + f.getKey(), f.getValue()));
        }
        PluginHelper.getRoutesLoader(camel).loadRoutes(resources);
        return new ArrayList<>(files.keySet());
    }
}
