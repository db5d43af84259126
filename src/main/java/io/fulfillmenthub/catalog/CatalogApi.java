package io.fulfillmenthub.catalog;

import java.util.List;

import io.fulfillmenthub.http.Api;
import io.fulfillmenthub.http.Page;
import io.fulfillmenthub.http.ProblemException;
import io.fulfillmenthub.security.Auth;
import io.fulfillmenthub.security.Role;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.inject.Named;
import org.apache.camel.Exchange;

/** The catalog of the tenant API and the template management of the provider API. */
@ApplicationScoped
@Named("catalogApi")
public class CatalogApi {

    @Inject
    Auth auth;
    @Inject
    TemplateStore store;

    /** GET /cluster_templates: the newest version of each template; deprecated ones only with include_deprecated. */
    public void list(Exchange ex) {
        auth.any(ex);
        boolean withDeprecated = "true".equalsIgnoreCase(Api.query(ex, "include_deprecated"));
        Page page = Api.page(ex);
        List<Template> items = store.listLatest(page, withDeprecated);
        Api.json(ex, 200, Page.envelope(items, store.countLatest(withDeprecated)));
    }

    public void get(Exchange ex) {
        auth.any(ex);
        String id = Api.header(ex, "id");
        String version = Api.query(ex, "version");
        Template t;
        if (version != null) {
            try {
                t = store.get(id, Integer.parseInt(version));
            } catch (NumberFormatException e) {
                throw ProblemException.invalid("version", "version must be an integer");
            }
        } else {
            t = store.latest(id);
        }
        if (t == null) {
            throw ProblemException.notFound("cluster template", id);
        }
        Api.json(ex, 200, t);
    }

    /** POST /api/admin/v1/cluster_templates: publish a template or a new version of it. */
    public void publish(Exchange ex) {
        auth.require(ex, Role.PLATFORM_ADMIN);
        Template t = Api.body(ex, Template.class, false);
        Template published = store.publish(t);
        Api.json(ex, 201, published);
        Api.responseHeader(ex, "Location", "/api/fulfillment/v1/cluster_templates/" + published.id);
    }

    /** GET /api/admin/v1/cluster_templates/{id}: every version. */
    public void versions(Exchange ex) {
        auth.require(ex, Role.PLATFORM_ADMIN);
        String id = Api.header(ex, "id");
        List<Template> all = store.versions(id);
        if (all.isEmpty()) {
            throw ProblemException.notFound("cluster template", id);
        }
        Api.json(ex, 200, Page.envelope(all, all.size()));
    }

    /** PATCH /api/admin/v1/cluster_templates/{id}: {@code {"deprecated": true|false}}. */
    public void patch(Exchange ex) {
        auth.require(ex, Role.PLATFORM_ADMIN);
        DeprecationPatch p = Api.body(ex, DeprecationPatch.class, true);
        if (p.deprecated == null) {
            throw ProblemException.invalid("deprecated", "deprecated (true or false) is required; "
                    + "publish a new version with POST to change anything else");
        }
        Api.json(ex, 200, store.setDeprecated(Api.header(ex, "id"), p.deprecated));
    }

    /** DELETE /api/admin/v1/cluster_templates/{id}: deprecates; versions stay for the clusters made from them. */
    public void delete(Exchange ex) {
        auth.require(ex, Role.PLATFORM_ADMIN);
        store.setDeprecated(Api.header(ex, "id"), true);
        Api.noContent(ex);
    }

    public static class DeprecationPatch {
        public Boolean deprecated;
    }
}
