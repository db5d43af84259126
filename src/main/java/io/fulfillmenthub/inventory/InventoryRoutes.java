package io.fulfillmenthub.inventory;

import io.fulfillmenthub.http.ApiRoutes;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/** REST DSL of the inventory (provider API). */
@ApplicationScoped
public class InventoryRoutes extends ApiRoutes {

    @Inject
    HostApi api;

    @Override
    public void configure() {
        problems();
        rest("/api/admin/v1/hosts").description("The hardware inventory")
                .get().id("admin-hosts-list").to("direct:admin-hosts-list")
                .get("/{id}").id("admin-hosts-get").to("direct:admin-hosts-get")
                .patch("/{id}").id("admin-hosts-patch").to("direct:admin-hosts-patch");
        from("direct:admin-hosts-list").process(api::list);
        from("direct:admin-hosts-get").process(api::get);
        from("direct:admin-hosts-patch").process(api::patch);
    }
}
