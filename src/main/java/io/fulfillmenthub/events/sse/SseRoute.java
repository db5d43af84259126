package io.fulfillmenthub.events.sse;

import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

import io.fulfillmenthub.events.EventTypes;
import io.fulfillmenthub.events.EventsApi;
import io.fulfillmenthub.http.ProblemException;
import io.fulfillmenthub.http.Problems;
import io.fulfillmenthub.security.Auth;
import io.fulfillmenthub.security.Caller;
import io.fulfillmenthub.security.Role;
import io.quarkus.runtime.ShutdownEvent;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

/**
 * {@code GET /api/events/v1/events}: the caller's tenant's events as Server-Sent Events. A Vert.x route (a stream
 * stays open, which Camel's request/reply routes do not do well) with the API's authentication: a tenant-user bearer
 * token, 401/403 problem JSON otherwise. Resume with {@code Last-Event-ID} (or {@code ?after=}); without either the
 * stream starts at the newest event. {@code ?types=} takes short or full types, comma-separated.
 */
@ApplicationScoped
public class SseRoute {

    public static final String PATH = "/api/events/v1/events";
    private static final Logger LOG = Logger.getLogger(SseRoute.class);

    @Inject
    Auth auth;
    @Inject
    EventFeed feed;

    private final ExecutorService pumps = Executors.newFixedThreadPool(2, new java.util.concurrent.ThreadFactory() {
        private final AtomicInteger n = new AtomicInteger();

        @Override
        public Thread newThread(Runnable r) {
            Thread t = new Thread(r, "sse-pump-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        }
    });

    void install(@Observes Router router) {
        router.get(PATH).handler(this::handle);
    }

    void stop(@Observes ShutdownEvent ev) {
        pumps.shutdownNow();
    }

    private void handle(RoutingContext ctx) {
        String authorization = ctx.request().getHeader(HttpHeaders.AUTHORIZATION);
        ctx.vertx().executeBlocking(() -> auth.requireBearer(authorization, Role.TENANT_USER), false)
                .onComplete(ar -> {
                    if (ar.failed()) {
                        problem(ctx, ar.cause());
                        return;
                    }
                    try {
                        open(ctx, ar.result());
                    } catch (RuntimeException e) {
                        problem(ctx, e);
                    }
                });
    }

    private void open(RoutingContext ctx, Caller caller) {
        Set<String> types = EventTypes.parseFilter("types", ctx.request().getParam("types"));
        String lastEventId = ctx.request().getHeader("Last-Event-ID");
        long cursor;
        if (lastEventId != null && !lastEventId.isBlank()) {
            cursor = EventsApi.cursor("Last-Event-ID", lastEventId);
        } else if (ctx.request().getParam("after") != null && !ctx.request().getParam("after").isBlank()) {
            cursor = EventsApi.cursor("after", ctx.request().getParam("after"));
        } else {
            cursor = feed.head();
        }
        HttpServerResponse r = ctx.response();
        r.setStatusCode(200).setChunked(true)
                .putHeader(HttpHeaders.CONTENT_TYPE, "text/event-stream; charset=utf-8")
                .putHeader(HttpHeaders.CACHE_CONTROL, "no-cache, no-store")
                .putHeader("X-Accel-Buffering", "no");
        r.write("retry: 2000\n: stream of tenant events from cursor " + cursor + "\n\n");
        SseClient client = new SseClient(feed, r, pumps, caller.tenant(), types, cursor);
        r.closeHandler(v -> client.close());
        r.exceptionHandler(e -> client.close());
        feed.add(client);
        LOG.debugf("SSE stream opened for tenant %s from cursor %d", caller.tenant(), cursor);
        client.wake();
    }

    private static void problem(RoutingContext ctx, Throwable failure) {
        if (ctx.response().ended() || ctx.response().headWritten()) {
            return;
        }
        ProblemException p = Problems.from(failure);
        HttpServerResponse r = ctx.response().setStatusCode(p.status())
                .putHeader(HttpHeaders.CONTENT_TYPE, Problems.MEDIA_TYPE);
        p.headers().forEach(r::putHeader);
        r.end(Problems.json(p.status(), p.slug(), p.title(), p.getMessage(), p.field()));
    }
}
