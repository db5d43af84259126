package io.fulfillmenthub.events;

import io.fulfillmenthub.events.webhooks.SubscriptionApi;
import io.fulfillmenthub.http.ApiRoutes;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * REST DSL of the events capability: the poll list and webhook subscriptions. The Server-Sent Events stream
 * ({@code /api/events/v1/events}) is a Vert.x route: see {@code events.sse.SseRoute}.
 */
@ApplicationScoped
public class EventRoutes extends ApiRoutes {

    @Inject
    EventsApi events;
    @Inject
    SubscriptionApi subscriptions;

    @Override
    public void configure() {
        problems();

        rest("/api/fulfillment/v1/events").description("Events of the caller's tenant, oldest first")
                .get().id("events-poll").to("direct:events-poll");

        rest("/api/fulfillment/v1/event_subscriptions").description("Webhook subscriptions of the caller's tenant")
                .post().id("event-subscriptions-create").to("direct:event-subscriptions-create")
                .get().id("event-subscriptions-list").to("direct:event-subscriptions-list")
                .get("/{id}").id("event-subscriptions-get").to("direct:event-subscriptions-get")
                .delete("/{id}").id("event-subscriptions-delete").to("direct:event-subscriptions-delete")
                .get("/{id}/deliveries").id("event-subscriptions-deliveries").to("direct:event-subscriptions-deliveries");

        from("direct:events-poll").process(events::poll);
        from("direct:event-subscriptions-create").process(subscriptions::create);
        from("direct:event-subscriptions-list").process(subscriptions::list);
        from("direct:event-subscriptions-get").process(subscriptions::get);
        from("direct:event-subscriptions-delete").process(subscriptions::delete);
        from("direct:event-subscriptions-deliveries").process(subscriptions::deliveries);
    }
}
