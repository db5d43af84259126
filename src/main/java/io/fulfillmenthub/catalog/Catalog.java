package io.fulfillmenthub.catalog;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.fulfillmenthub.http.ProblemException;
import io.fulfillmenthub.store.HubFiles;
import io.fulfillmenthub.store.Json;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/** Loads the catalog directory's YAML templates into the store at start-up. */
@ApplicationScoped
public class Catalog {

    private static final Logger LOG = Logger.getLogger(Catalog.class);
    static final ObjectMapper YAML = Json.MAPPER.copyWith(new YAMLFactory());

    @ConfigProperty(name = "hub.catalog.dir", defaultValue = "catalog")
    Path dir;

    @Inject
    TemplateStore store;

    void onStart(@Observes @Priority(10) StartupEvent ev) {
        List<Template> templates = load();
        int added = store.sync(templates);
        LOG.infof("Catalog: %d template file(s), %d new version(s) stored", templates.size(), added);
    }

    public List<Template> load() {
        List<Template> out = new ArrayList<>();
        for (Map.Entry<String, String> f : HubFiles.read(dir, "catalog", ".yaml", ".yml").entrySet()) {
            try {
                Template t = YAML.readValue(f.getValue(), Template.class);
                if (t.version == null) {
                    t.version = 1;
                }
                t.validate();
                out.add(t);
            } catch (ProblemException e) {
                LOG.errorf("Catalog file %s refused: %s %s", f.getKey(), e.field() == null ? "" : e.field(), e.getMessage());
            } catch (Exception e) {
                LOG.errorf("Catalog file %s unreadable: %s", f.getKey(), e.getMessage());
            }
        }
        return out;
    }
}
