package io.fulfillmenthub.ops;

import jakarta.enterprise.context.ApplicationScoped;
import org.apache.camel.Exchange;
import org.apache.camel.builder.RouteBuilder;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * The benchmarks' baseline: {@code GET/POST /bench/noop} answers 204 having done nothing but pass through the same
 * HTTP stack as the hub's webhooks (Vert.x, the HTTP edge, a Camel platform-http route). Off unless
 * {@code hub.bench.noop-endpoint=true} ({@code HUB_BENCH_NOOP_ENDPOINT=true}); {@code bench/run.sh} turns it on.
 */
@ApplicationScoped
public class BenchNoopRoutes extends RouteBuilder {

    @ConfigProperty(name = "hub.bench.noop-endpoint", defaultValue = "false")
    boolean enabled;

    @Override
    public void configure() {
        if (!enabled) {
            return;
        }
        from("platform-http:/bench/noop?httpMethodRestrict=GET,POST").routeId("bench-noop")
                .removeHeaders("*")
                .setBody(constant((Object) null))
                .setHeader(Exchange.HTTP_RESPONSE_CODE, constant(204));
    }
}
