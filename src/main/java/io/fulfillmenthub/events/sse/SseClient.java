package io.fulfillmenthub.events.sse;

import java.util.Set;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;

import io.fulfillmenthub.events.StoredEvent;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
import org.jboss.logging.Logger;

/**
 * One connected stream. Woken by the feed, it writes every event after its cursor (tenant and type filtered) as
 * {@code id: <cursor>}, {@code event: <type>}, {@code data: <CloudEvent JSON>}; pumps never overlap, and a client
 * whose socket buffer is full is resumed by the drain handler, reading from the database if it fell behind the ring.
 */
final class SseClient implements EventFeed.Listener {

    private static final Logger LOG = Logger.getLogger(SseClient.class);
    static final int BATCH = 200;

    private final EventFeed feed;
    private final HttpServerResponse response;
    private final Executor pumps;
    private final String tenant;
    private final Set<String> types;
    private final AtomicInteger wip = new AtomicInteger();
    private volatile long cursor;
    private volatile boolean closed;

    SseClient(EventFeed feed, HttpServerResponse response, Executor pumps, String tenant, Set<String> types, long cursor) {
        this.feed = feed;
        this.response = response;
        this.pumps = pumps;
        this.tenant = tenant;
        this.types = types;
        this.cursor = cursor;
    }

    @Override
    public void wake() {
        if (!closed && wip.getAndIncrement() == 0) {
            pumps.execute(this::drain);
        }
    }

    @Override
    public void heartbeat() {
        if (closed) {
            return;
        }
        if (!response.writeQueueFull()) {
            response.write(": keep-alive\n\n");
        }
        wake(); // also retries a pump that failed on a database error
    }

    void close() {
        closed = true;
        feed.remove(this);
    }

    private void drain() {
        int missed = 1;
        do {
            try {
                pump();
            } catch (RuntimeException e) {
                LOG.debugf("stream pump failed, retried at the next heartbeat: %s", e.getMessage());
            }
            missed = wip.addAndGet(-missed);
        } while (missed != 0);
    }

    private void pump() {
        while (!closed) {
            if (response.writeQueueFull()) {
                response.drainHandler(v -> wake());
                return;
            }
            long from = cursor;
            EventFeed.Batch b = feed.read(from, tenant, types, BATCH);
            if (!b.events().isEmpty()) {
                StringBuilder sb = new StringBuilder();
                for (StoredEvent e : b.events()) {
                    sb.append("id: ").append(e.seq()).append('\n')
                            .append("event: ").append(e.type()).append('\n')
                            .append("data: ").append(e.cloudEventJson()).append("\n\n");
                }
                response.write(Buffer.buffer(sb.toString()));
            }
            cursor = b.cursor();
            if (b.cursor() == from) {
                return;
            }
        }
    }
}
