package io.fulfillmenthub.billing;

import io.fulfillmenthub.http.ApiRoutes;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/** REST DSL of the billing webhooks (signed, no bearer token) and of the provider's billing view. */
@ApplicationScoped
public class BillingRoutes extends ApiRoutes {

    @Inject
    BillingInbox inbox;
    @Inject
    BillingApi api;

    @Override
    public void configure() {
        problems();
        rest("/webhooks/billing").description("Payment webhooks that order, renew and end clusters")
                .post().id("webhook-billing").to("direct:webhook-billing")
                .post("/stripe").id("webhook-billing-stripe").to("direct:webhook-billing-stripe");
        rest("/api/admin/v1/billing_events").description("Billing deliveries and their outcome")
                .get().id("admin-billing-events-list").to("direct:admin-billing-events-list")
                .get("/{id}").id("admin-billing-events-get").to("direct:admin-billing-events-get");
        from("direct:webhook-billing").process(inbox::standard);
        from("direct:webhook-billing-stripe").process(inbox::stripe);
        from("direct:admin-billing-events-list").process(api::list);
        from("direct:admin-billing-events-get").process(api::get);
    }
}
