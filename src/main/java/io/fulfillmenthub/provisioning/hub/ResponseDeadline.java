package io.fulfillmenthub.provisioning.hub;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

import org.jboss.logging.Logger;

import io.fabric8.kubernetes.client.http.AsyncBody;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.HttpResponse;
import io.fabric8.kubernetes.client.http.Interceptor;

/**
 * Bounds the time a response body of the management hub's API may take once its headers have come. fabric8's request
 * timeout ends when the headers arrive; a body that then stops flowing (a stalled connection, an API server that
 * pauses a large list answer) would otherwise keep the calling thread waiting forever, and with it whatever it holds
 * (the host-class row lock of a reservation, the start-up of the hub). Past the deadline the body is cancelled, so the
 * call fails with an exception that the caller's retry handles like any other hub error.
 * <p>
 * Watches are left alone: their body is meant to stay open.
 */
public final class ResponseDeadline implements Interceptor {

    /** The name under which it is registered on the fabric8 HTTP client builder. */
    public static final String NAME = "hub-response-deadline";

    private static final Logger LOG = Logger.getLogger(ResponseDeadline.class);
    /**
     * One timer per answer, cancelled when the answer ends: removed from the queue at once, or every answer (its
     * request and body) would stay referenced until its deadline passed (8,600 of them at ~860 calls/s).
     */
    private static final ScheduledThreadPoolExecutor TIMER = timer();

    private static ScheduledThreadPoolExecutor timer() {
        ScheduledThreadPoolExecutor t = new ScheduledThreadPoolExecutor(1, r -> {
            Thread th = new Thread(r, "hub-response-deadline");
            th.setDaemon(true);
            return th;
        });
        t.setRemoveOnCancelPolicy(true);
        return t;
    }

    /** Timers pending (tests: a finished answer leaves none). */
    static int pendingTimers() {
        return TIMER.getQueue().size();
    }

    private final Duration deadline;

    public ResponseDeadline(Duration deadline) {
        if (deadline.isNegative() || deadline.isZero()) {
            throw new IllegalArgumentException("deadline must be positive");
        }
        this.deadline = deadline;
    }

    public Duration deadline() {
        return deadline;
    }

    @Override
    public void after(HttpRequest request, HttpResponse<?> response, AsyncBody.Consumer<List<ByteBuffer>> consumer) {
        if (response == null || !(response.body() instanceof AsyncBody body) || isStream(request)) {
            return;
        }
        ScheduledFuture<?> timer = TIMER.schedule(() -> {
            if (!body.done().isDone()) {
                LOG.warnf("Management hub: the answer to %s %s did not finish within %d ms of its headers; cancelled",
                        request.method(), pathOf(request), deadline.toMillis());
                body.cancel();
            }
        }, deadline.toMillis(), TimeUnit.MILLISECONDS);
        body.done().whenComplete((v, t) -> timer.cancel(false));
    }

    /** Watches (and log follows) are streams that stay open by design. */
    static boolean isStream(HttpRequest request) {
        if (request == null || request.uri() == null) {
            return false;
        }
        String q = request.uri().getRawQuery();
        return q != null && (q.contains("watch=true") || q.contains("watch=1") || q.contains("follow=true"));
    }

    /** The path only: a query may carry label values, never a credential, but the path is all a reader needs. */
    private static String pathOf(HttpRequest request) {
        return request.uri() == null ? "?" : request.uri().getRawPath();
    }
}
