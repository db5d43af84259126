package io.fulfillmenthub.alerts;

import io.fulfillmenthub.http.ApiRoutes;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * REST DSL of the alert webhooks (inbound, token-authenticated) and of the provider's alert views. What happens to a
 * recorded alert is the YAML route {@code routes/alert-policy.yaml}.
 */
@ApplicationScoped
public class AlertRoutes extends ApiRoutes {

    @Inject
    AlertWebhooks webhooks;
    @Inject
    AlertApi api;

    @Override
    public void configure() {
        problems();
        rest("/webhooks").description("Hardware alerts from Alertmanager and BMCs")
                .post("/alertmanager").id("webhooks-alertmanager").to("direct:webhooks-alertmanager")
                .post("/redfish").id("webhooks-redfish").to("direct:webhooks-redfish");
        rest("/api/admin/v1/alerts").description("Normalized hardware alerts")
                .get().id("admin-alerts-list").to("direct:admin-alerts-list")
                .get("/{id}").id("admin-alerts-get").to("direct:admin-alerts-get");
        from("direct:webhooks-alertmanager").process(webhooks::alertmanager);
        from("direct:webhooks-redfish").process(webhooks::redfish);
        from("direct:admin-alerts-list").process(api::list);
        from("direct:admin-alerts-get").process(api::get);
    }
}
