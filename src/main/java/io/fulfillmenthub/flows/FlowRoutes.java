package io.fulfillmenthub.flows;

import io.fulfillmenthub.http.ApiRoutes;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/** REST DSL of the flows' admin view and reload. */
@ApplicationScoped
public class FlowRoutes extends ApiRoutes {

    @Inject
    FlowApi api;

    @Override
    public void configure() {
        problems();
        rest("/api/admin/v1/flows").description("YAML routes and Kamelets: what is loaded, reload")
                .get().id("admin-flows-status").to("direct:admin-flows-status")
                .post("/reload").id("admin-flows-reload").to("direct:admin-flows-reload");
        from("direct:admin-flows-status").process(api::status);
        from("direct:admin-flows-reload").process(api::reload);
    }
}
