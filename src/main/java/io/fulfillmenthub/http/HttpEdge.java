package io.fulfillmenthub.http;

import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

/**
 * What happens before a request reaches a route: bodies above 1 MiB are refused with a 413 problem (declared
 * lengths here; streamed bodies when read), and unknown paths or methods answer problem JSON too.
 */
@ApplicationScoped
public class HttpEdge {

    void install(@Observes Router router) {
        router.route().order(-1000).handler(this::limitBody);
        router.errorHandler(404, ctx -> problem(ctx, 404, "not-found", "Not found",
                "no resource at " + ctx.request().path()));
        router.errorHandler(405, ctx -> problem(ctx, 405, "method-not-allowed", "Method not allowed",
                ctx.request().method() + " is not supported on " + ctx.request().path()));
        router.errorHandler(413, ctx -> problem(ctx, 413, "payload-too-large", "Payload too large",
                "the request body is larger than " + Api.MAX_BODY_BYTES + " bytes"));
    }

    private void limitBody(RoutingContext ctx) {
        String length = ctx.request().getHeader(HttpHeaders.CONTENT_LENGTH);
        if (length != null) {
            try {
                if (Long.parseLong(length.trim()) > Api.MAX_BODY_BYTES) {
                    problem(ctx, 413, "payload-too-large", "Payload too large",
                            "the request body is larger than " + Api.MAX_BODY_BYTES + " bytes");
                    return;
                }
            } catch (NumberFormatException e) {
                problem(ctx, 400, "invalid-input", "Invalid input", "Content-Length is not a number");
                return;
            }
        }
        ctx.next();
    }

    static void problem(RoutingContext ctx, int status, String slug, String title, String detail) {
        if (ctx.response().ended()) {
            return;
        }
        ctx.response().setStatusCode(status)
                .putHeader(HttpHeaders.CONTENT_TYPE, Problems.MEDIA_TYPE)
                .putHeader(HttpHeaders.CONNECTION, "close")
                .end(Problems.json(status, slug, title, detail, null));
    }
}
