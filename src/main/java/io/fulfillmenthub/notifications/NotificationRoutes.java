package io.fulfillmenthub.notifications;

import io.fulfillmenthub.http.ApiRoutes;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/** REST DSL of the dead-letter view of outbound notifications. */
@ApplicationScoped
public class NotificationRoutes extends ApiRoutes {

    @Inject
    DeadLetterApi api;

    @Override
    public void configure() {
        problems();
        rest("/api/admin/v1/dead_letters").description("Sink jobs given up after their retries")
                .get().id("admin-dead-letters-list").to("direct:admin-dead-letters-list")
                .post("/{id}/retry").id("admin-dead-letters-retry").to("direct:admin-dead-letters-retry");
        from("direct:admin-dead-letters-list").process(api::list);
        from("direct:admin-dead-letters-retry").process(api::retry);
    }
}
