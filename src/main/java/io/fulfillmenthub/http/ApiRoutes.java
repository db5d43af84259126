package io.fulfillmenthub.http;

import org.apache.camel.Exchange;
import org.apache.camel.builder.RouteBuilder;

/** Base of the capabilities' REST DSL route builders: any failure becomes RFC 9457 problem JSON. */
public abstract class ApiRoutes extends RouteBuilder {

    /** Installs the problem-JSON error handling for the routes of this builder. */
    protected void problems() {
        onException(Throwable.class)
                .handled(true)
                .process(ex -> Api.problem(ex, ex.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class)));
    }
}
