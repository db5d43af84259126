package io.fulfillmenthub.catalog;

import io.fulfillmenthub.http.ApiRoutes;
import jakarta.inject.Inject;

/** REST DSL of the catalog (tenant API) and of template management (provider API). */
@jakarta.enterprise.context.ApplicationScoped
public class CatalogRoutes extends ApiRoutes {

    @Inject
    CatalogApi api;

    @Override
    public void configure() {
        problems();

        rest("/api/fulfillment/v1/cluster_templates").description("The catalog of cluster templates")
                .get().id("templates-list").to("direct:templates-list")
                .get("/{id}").id("templates-get").to("direct:templates-get");

        rest("/api/admin/v1/cluster_templates").description("Publishing and deprecating templates")
                .post().id("admin-templates-publish").to("direct:admin-templates-publish")
                .get("/{id}").id("admin-templates-versions").to("direct:admin-templates-versions")
                .patch("/{id}").id("admin-templates-patch").to("direct:admin-templates-patch")
                .delete("/{id}").id("admin-templates-delete").to("direct:admin-templates-delete");

        from("direct:templates-list").process(api::list);
        from("direct:templates-get").process(api::get);
        from("direct:admin-templates-publish").process(api::publish);
        from("direct:admin-templates-versions").process(api::versions);
        from("direct:admin-templates-patch").process(api::patch);
        from("direct:admin-templates-delete").process(api::delete);
    }
}
