package io.fulfillmenthub.events.sse;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArraySet;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import io.fulfillmenthub.events.EventLog;
import io.fulfillmenthub.events.EventSettings;
import io.fulfillmenthub.events.StoredEvent;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

/**
 * One outbox poller per replica for every connected stream: it reads new events every
 * {@code hub.events.poll-interval}, keeps the most recent ones in a ring, and wakes the listeners. A listener reads
 * from the ring, or from the database when it is further behind than the ring reaches (a client resuming from an old
 * cursor), so no client runs a query loop of its own and none misses an event: the outbox makes events visible in
 * cursor order, and the ring holds a contiguous range of cursors.
 */
@ApplicationScoped
public class EventFeed {

    private static final Logger LOG = Logger.getLogger(EventFeed.class);
    static final int RING = 4096;
    static final int POLL_BATCH = 1000;

    /** Woken when new events arrived; asked to send a keep-alive. */
    public interface Listener {
        void wake();

        void heartbeat();
    }

    /** Events after a cursor, and the cursor to resume from next (past every event looked at, matching or not). */
    public record Batch(List<StoredEvent> events, long cursor) {
    }

    @Inject
    EventLog log;
    @Inject
    EventSettings settings;

    private final ArrayDeque<StoredEvent> ring = new ArrayDeque<>();
    private final Set<Listener> listeners = new CopyOnWriteArraySet<>();
    private volatile long head;
    private ScheduledExecutorService timer;

    void start(@Observes StartupEvent ev) {
        head = log.head();
        timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "event-feed");
            t.setDaemon(true);
            return t;
        });
        long every = Math.max(10, settings.pollInterval().toMillis());
        timer.scheduleWithFixedDelay(this::poll, every, every, TimeUnit.MILLISECONDS);
        long beat = Math.max(100, settings.sseHeartbeat().toMillis());
        timer.scheduleWithFixedDelay(this::heartbeat, beat, beat, TimeUnit.MILLISECONDS);
    }

    void stop(@Observes ShutdownEvent ev) {
        if (timer != null) {
            timer.shutdownNow();
        }
    }

    /** The newest cursor this replica has seen. */
    public long head() {
        return head;
    }

    public void add(Listener l) {
        listeners.add(l);
    }

    public void remove(Listener l) {
        listeners.remove(l);
    }

    public int listeners() {
        return listeners.size();
    }

    void poll() {
        try {
            boolean any = false;
            while (true) {
                List<StoredEvent> got = log.after(head, POLL_BATCH);
                if (got.isEmpty()) {
                    break;
                }
                synchronized (ring) {
                    for (StoredEvent e : got) {
                        ring.addLast(e);
                        if (ring.size() > RING) {
                            ring.removeFirst();
                        }
                    }
                    head = got.get(got.size() - 1).seq();
                }
                any = true;
                if (got.size() < POLL_BATCH) {
                    break;
                }
            }
            if (any) {
                listeners.forEach(Listener::wake);
            }
        } catch (RuntimeException e) {
            LOG.warnf("event feed poll failed, retrying: %s", e.getMessage());
        }
    }

    void heartbeat() {
        for (Listener l : listeners) {
            try {
                l.heartbeat();
            } catch (RuntimeException e) {
                LOG.debugf("heartbeat failed: %s", e.getMessage());
            }
        }
    }

    /**
     * Up to {@code max} of a tenant's events after {@code cursor} whose full type is in {@code types} (every type when
     * empty), from the ring when it reaches back far enough, otherwise from the database.
     */
    public Batch read(long cursor, String tenant, Set<String> types, int max) {
        long upTo;
        synchronized (ring) {
            StoredEvent first = ring.peekFirst();
            if (cursor >= head) {
                return new Batch(List.of(), cursor);
            }
            if (first != null && first.seq() <= cursor + 1) {
                List<StoredEvent> out = new ArrayList<>();
                long next = cursor;
                for (Iterator<StoredEvent> it = ring.iterator(); it.hasNext() && out.size() < max;) {
                    StoredEvent e = it.next();
                    if (e.seq() <= cursor) {
                        continue;
                    }
                    next = e.seq();
                    if (tenant.equals(e.tenant()) && (types.isEmpty() || types.contains(e.type()))) {
                        out.add(e);
                    }
                }
                return new Batch(out, next);
            }
            upTo = first == null ? head : first.seq() - 1;
        }
        List<StoredEvent> rows = log.forTenant(tenant, cursor, upTo, types, max);
        long next = rows.size() < max ? upTo : rows.get(rows.size() - 1).seq();
        return new Batch(rows, next);
    }
}
