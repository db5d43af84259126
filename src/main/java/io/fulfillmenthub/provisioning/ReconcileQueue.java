package io.fulfillmenthub.provisioning;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

import io.fulfillmenthub.clusters.ClusterOrders;
import io.fulfillmenthub.store.WorkQueue;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.inject.Named;
import org.apache.camel.Exchange;
import org.jboss.logging.Logger;

/**
 * The reconcile's share of the work queue: claims due clusters (a lease keeps other replicas off them), and puts them
 * back when a pass ends: done, to look again later, or failed with backoff.
 */
@ApplicationScoped
@Named("reconcileQueue")
public class ReconcileQueue {

    private static final Logger LOG = Logger.getLogger(ReconcileQueue.class);
    static final Duration LEASE = Duration.ofSeconds(60);
    final String owner = ManagementFactory.getRuntimeMXBean().getName() + "/" + UUID.randomUUID().toString().substring(0, 8);

    @Inject
    WorkQueue queue;
    @Inject
    Provisioner provisioner;

    /** Due clusters, claimed for this replica. */
    public List<ReconcileContext> claim() {
        return queue.claim(ClusterOrders.RECONCILE, owner, LEASE, 8).stream().map(ReconcileContext::new).toList();
    }

    /** The pass ended normally: done, or look again when a step asked to. */
    public void done(ReconcileContext ctx) {
        if (ctx.requeueAfter != null) {
            queue.retry(ctx.item, Instant.now().plus(ctx.requeueAfter), null, false);
        } else {
            queue.complete(ctx.item);
        }
    }

    /** The pass failed (hub unreachable, conflict...): try again with exponential backoff, capped at 5 minutes. */
    public void failed(Exchange ex) {
        ReconcileContext ctx = ex.getMessage().getBody(ReconcileContext.class);
        Throwable error = ex.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        if (ctx == null) {
            LOG.warn("reconcile failed before a cluster was loaded", error);
            return;
        }
        long backoffMs = Math.min(300_000, 500L << Math.min(ctx.item.attempts(), 10));
        LOG.warnf("reconcile of cluster %s failed (attempt %d), retry in %d ms: %s", ctx.clusterId(),
                ctx.item.attempts() + 1, backoffMs, error == null ? "?" : error.toString());
        queue.retry(ctx.item, Instant.now().plusMillis(backoffMs), error == null ? null : error.toString(), true);
        try {
            provisioner.recordHubError(ctx.clusterId(), error, Duration.ofMillis(backoffMs));
        } catch (RuntimeException e) {
            LOG.debugf("hub error of cluster %s not recorded: %s", ctx.clusterId(), e.getMessage());
        }
    }
}
