package io.fulfillmenthub.clusters;

import io.fulfillmenthub.http.ApiRoutes;
import jakarta.inject.Inject;

/**
 * REST DSL of the clusters resource. Ordering hands the parsed order to the {@code order-intake} YAML pipeline
 * ({@code routes/order-intake.yaml}), which admins can extend.
 */
@jakarta.enterprise.context.ApplicationScoped
public class ClusterRoutes extends ApiRoutes {

    @Inject
    ClusterApi api;

    @Override
    public void configure() {
        problems();

        rest("/api/fulfillment/v1/clusters").description("Clusters of the caller's tenant")
                .post().id("clusters-create").to("direct:clusters-create")
                .get().id("clusters-list").to("direct:clusters-list")
                .get("/{id}").id("clusters-get").to("direct:clusters-get")
                .patch("/{id}").id("clusters-patch").to("direct:clusters-patch")
                .delete("/{id}").id("clusters-delete").to("direct:clusters-delete");

        rest("/api/admin/v1/clusters").description("Clusters of every tenant, for the provider")
                .get().id("admin-clusters-list").to("direct:admin-clusters-list")
                .get("/{id}").id("admin-clusters-get").to("direct:admin-clusters-get");

        from("direct:clusters-create")
                .process(api::parseOrder)
                .to("direct:order-intake")
                .process(api::created);
        from("direct:clusters-list").process(api::list);
        from("direct:clusters-get").process(api::get);
        from("direct:clusters-patch").process(api::patch);
        from("direct:clusters-delete").process(api::delete);
        from("direct:admin-clusters-list").process(api::adminList);
        from("direct:admin-clusters-get").process(api::adminGet);
    }
}
