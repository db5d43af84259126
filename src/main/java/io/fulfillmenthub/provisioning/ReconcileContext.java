package io.fulfillmenthub.provisioning;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import io.fulfillmenthub.catalog.Template;
import io.fulfillmenthub.clusters.Cluster;
import io.fulfillmenthub.store.WorkQueue;

/**
 * One pass of the reconcile over one cluster: the item claimed from the queue, the cluster as stored, and what the
 * steps decided. A step that has to wait (for hosts, for the control plane) halts the pass and names when to look
 * again; the next pass starts from the top and skips whatever is already done.
 */
public class ReconcileContext {

    public final WorkQueue.Item item;
    public Cluster cluster;
    public Template template;
    /** the version the cluster had when this pass read it */
    public long readVersion;
    public final Instant startedAt = Instant.now();
    /** set by a step that cannot go on now */
    public boolean halted;
    public Duration requeueAfter;
    public final List<String> events = new ArrayList<>();
    public boolean changed;

    public ReconcileContext(WorkQueue.Item item) {
        this.item = item;
    }

    /** True when the cluster is being deleted (the pass tears it down instead of building it). */
    public boolean isTerminating() {
        return cluster != null && cluster.status.state.isTerminating();
    }

    public String clusterId() {
        return item.key();
    }

    /** Stops this pass; look again after {@code after} (null: only when something changes). */
    public ReconcileContext halt(Duration after) {
        halted = true;
        requeue(after);
        return this;
    }

    /** Asks for another pass no later than {@code after}. */
    public void requeue(Duration after) {
        if (after != null && (requeueAfter == null || after.compareTo(requeueAfter) < 0)) {
            requeueAfter = after;
        }
    }

    public void emit(String eventType) {
        if (!events.contains(eventType)) {
            events.add(eventType);
        }
    }
}
