package io.fulfillmenthub.ops;

import java.util.Map;
import java.util.function.Consumer;

import io.fulfillmenthub.alerts.AlertInbox;
import io.fulfillmenthub.billing.BillingInbox;
import io.fulfillmenthub.clusters.ClusterOrders;
import io.fulfillmenthub.store.Wakeups;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.apache.camel.Endpoint;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.component.seda.SedaEndpoint;

/**
 * Hands committed work to the YAML routes at once: each queue kind has a {@code seda:wake-<kind>} endpoint of size one
 * (a burst of wake-ups collapses into one pending pass) that the kind's route file consumes next to its poll timer.
 * A route file without the wake-up route simply works at the timer's pace.
 */
@ApplicationScoped
public class QueueWakeups {

    /** queue kind -> endpoint its route file consumes; the URI is the same string there. */
    static final Map<String, String> ENDPOINTS = Map.of(
            ClusterOrders.RECONCILE, "seda:wake-reconcile?size=1&discardWhenFull=true",
            BillingInbox.WORK, "seda:wake-billing?size=1&discardWhenFull=true",
            AlertInbox.WORK_KIND, "seda:wake-alerts?size=1&discardWhenFull=true");

    @Inject
    ProducerTemplate producer;

    private final Map<String, Consumer<String>> listeners = new java.util.HashMap<>();

    void start(@Observes StartupEvent ev) {
        ENDPOINTS.forEach((kind, uri) -> {
            // the endpoint is resolved once, on the first wake-up, not from its URI string at every commit
            Endpoint[] endpoint = new Endpoint[1];
            Consumer<String> l = k -> {
                if (endpoint[0] == null) {
                    endpoint[0] = producer.getCamelContext().getEndpoint(uri);
                }
                if (endpoint[0] instanceof SedaEndpoint seda && seda.getQueue().remainingCapacity() == 0) {
                    return; // a pass is already pending: this wake-up would be discarded, skip making its exchange
                }
                producer.sendBody(endpoint[0], k);
            };
            listeners.put(kind, l);
            Wakeups.listen(kind, l);
        });
    }

    void stop(@Observes ShutdownEvent ev) {
        listeners.forEach(Wakeups::unlisten);
    }
}
