package io.fulfillmenthub.billing;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

import io.fulfillmenthub.billing.parse.BillingCommand;
import io.fulfillmenthub.billing.parse.BillingEvents;
import io.fulfillmenthub.catalog.LeaseDuration;
import io.fulfillmenthub.clusters.Cluster;
import io.fulfillmenthub.clusters.ClusterLifecycle;
import io.fulfillmenthub.clusters.ClusterOrders;
import io.fulfillmenthub.clusters.ClusterStore;
import io.fulfillmenthub.clusters.Order;
import io.fulfillmenthub.clusters.OrderRequest;
import io.fulfillmenthub.events.Outbox;
import io.fulfillmenthub.http.ProblemException;
import io.fulfillmenthub.store.Db;
import io.fulfillmenthub.store.WorkQueue;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.inject.Named;
import org.apache.camel.ProducerTemplate;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Applies recorded billing events with exactly one effect each: orders go through the order intake with a cluster id
 * derived from the order (so duplicates, also concurrent ones, make one cluster); renewals extend and cancellations
 * end the cluster their payment bought, in the same transaction that marks the event applied. Renewals and
 * cancellations that arrive before their order wait (PENDING) and are applied right after it.
 */
@ApplicationScoped
@Named("billingProcessor")
public class BillingProcessor {

    private static final Logger LOG = Logger.getLogger(BillingProcessor.class);
    static final Duration LEASE = Duration.ofSeconds(60);

    @Inject
    Db db;
    @Inject
    WorkQueue queue;
    @Inject
    ProducerTemplate camel;
    @ConfigProperty(name = "hub.billing.cancel-at-period-end", defaultValue = "false")
    boolean cancelAtPeriodEnd;
    @ConfigProperty(name = "hub.billing.tenants")
    Optional<List<String>> knownTenants;

    final BillingEvents parser = new BillingEvents();
    final String owner = "billing-" + UUID.randomUUID().toString().substring(0, 8);

    record Row(long id, String provider, String eventId, String status, String body) {
    }

    /** Due recorded events, claimed for this replica. */
    public List<WorkQueue.Item> claim() {
        return queue.claim(BillingInbox.WORK, owner, LEASE, 16);
    }

    /** Applies one recorded event; transient failures are retried with backoff, nothing is lost. */
    public void apply(WorkQueue.Item item) {
        try {
            if (!applyRow(Long.parseLong(item.key()), item)) {
                queue.complete(item);
            }
        } catch (RuntimeException e) {
            long backoff = Math.min(300_000, 1000L << Math.min(item.attempts(), 8));
            LOG.warnf("billing event %s not applied yet (attempt %d): %s", item.key(), item.attempts() + 1, e.toString());
            queue.retry(item, Instant.now().plusMillis(backoff), e.toString(), true);
        }
    }

    /**
     * Applies the event; its queue item ({@code item}, may be null) is completed in the transaction that records the
     * outcome, one commit for both. Returns false when there was nothing to record (the item is still to complete).
     */
    boolean applyRow(long id, WorkQueue.Item item) {
        Row row = db.read(c -> Db.one(c, "select id, provider, event_id, status, body from billing_events where id = ?",
                rs -> new Row(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5)), id));
        if (row == null || List.of("APPLIED", "REJECTED", "IGNORED").contains(row.status())) {
            return false;
        }
        BillingCommand cmd = parse(row);
        if (cmd.rejected()) {
            reject(row, cmd, cmd.rejectReason(), item);
            return item != null;
        }
        switch (cmd.kind()) {
            case ORDER -> order(row, cmd, item);
            case RENEW, CANCEL -> onCluster(row, cmd, item);
            default -> finish(row.id(), "IGNORED", cmd.ignoreReason() == null ? "not an order, renewal or cancellation"
                    : cmd.ignoreReason(), null, item);
        }
        return item != null;
    }

    private static void complete(Connection c, WorkQueue.Item item) throws SQLException {
        if (item != null) {
            WorkQueue.complete(c, item);
        }
    }

    private BillingCommand parse(Row row) {
        byte[] body = row.body().getBytes(StandardCharsets.UTF_8);
        try {
            return "stripe".equals(row.provider()) ? parser.parseStripe(body) : parser.parseStandardWebhook(row.eventId(), body);
        } catch (Exception e) {
            throw new IllegalStateException("recorded event no longer parses: " + e.getMessage(), e);
        }
    }

    private void order(Row row, BillingCommand cmd, WorkQueue.Item item) {
        if (knownTenants.isPresent() && !knownTenants.get().contains(cmd.tenant())) {
            reject(row, cmd, "unknown tenant '" + cmd.tenant() + "'", item);
            return;
        }
        String clusterId = cmd.clusterId() != null ? cmd.clusterId()
                : UUID.nameUUIDFromBytes(("billing:" + cmd.source() + ":" + cmd.orderReference())
                        .getBytes(StandardCharsets.UTF_8)).toString();
        Order o = new Order();
        o.tenant = cmd.tenant();
        o.name = cmd.clusterName();
        o.source = "billing";
        o.reference = cmd.orderReference();
        o.clusterId = clusterId;
        o.idempotencyKey = "billing:" + cmd.source() + ":" + cmd.orderReference();
        o.requestHash = "billing-order";
        o.spec = new OrderRequest.SpecIn();
        o.spec.template = cmd.template();
        o.spec.duration = cmd.duration();
        if (cmd.nodeSets() != null && !cmd.nodeSets().isEmpty()) {
            o.spec.nodeSets = new LinkedHashMap<>();
            cmd.nodeSets().forEach((n, size) -> o.spec.nodeSets.put(n, new Cluster.NodeSetSpec(size)));
        }
        Order.Placed placed;
        try {
            placed = camel.requestBody("direct:order-intake", o, Order.Placed.class);
        } catch (RuntimeException e) {
            ProblemException p = problem(e);
            if (p != null && p.status() < 500) {
                reject(row, cmd, p.getMessage() + (p.field() == null ? "" : " (" + p.field() + ")"), item);
                return;
            }
            throw e;
        }
        String cluster = placed.cluster().id;
        db.tx(c -> {
            for (String key : BillingInbox.links(cmd)) {
                if (Db.count(c, "select count(*) from billing_links where link_key = ?", key) == 0) {
                    Db.update(c, "insert into billing_links (link_key, cluster_id, created_at) values (?, ?, ?)", key,
                            cluster, Instant.now());
                }
            }
            markApplied(c, row.id(), "cluster " + (placed.created() ? "ordered" : "already ordered"), cluster);
            // renewals and cancellations that came first and name one of this order's payment objects now find
            // their cluster; the others keep waiting (not queued again on every order)
            Set<String> keys = BillingInbox.links(cmd);
            List<String> waiting = new ArrayList<>();
            for (String[] pending : Db.list(c, "select id, link_keys from billing_events where status = 'PENDING'",
                    rs -> new String[] {Long.toString(rs.getLong(1)), rs.getString(2)})) {
                if (waitsFor(pending[1], keys)) {
                    waiting.add(pending[0]);
                }
            }
            if (!waiting.isEmpty()) {
                WorkQueue.enqueueAll(c, BillingInbox.WORK, waiting, Instant.now());
            }
            complete(c, item);
            return null;
        });
    }

    private void onCluster(Row row, BillingCommand cmd, WorkQueue.Item item) {
        db.tx(c -> {
            String clusterId = linked(c, cmd);
            if (clusterId == null) {
                Db.update(c, "update billing_events set status = 'PENDING', reason = ? where id = ?",
                        "waiting for the order this " + cmd.kind().name().toLowerCase() + " refers to", row.id());
                complete(c, item);
                return null;
            }
            Cluster k = ClusterStore.lock(c, clusterId);
            if (k == null || k.status.state.isTerminating()) {
                markApplied(c, row.id(), "cluster already ended", clusterId);
                complete(c, item);
                return null;
            }
            Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
            String outcome;
            if (cmd.kind() == BillingCommand.Kind.RENEW) {
                Instant until = cmd.periodEnd();
                if (until == null) {
                    LeaseDuration d = LeaseDuration.parse(cmd.duration() != null ? cmd.duration() : k.spec.duration);
                    until = d.addTo(k.status.expiresAt.isAfter(now) ? k.status.expiresAt : now);
                }
                if (until.isAfter(k.status.expiresAt)) {
                    k.status.expiresAt = until;
                    k.status.expiryNoticeSentAt = null;
                }
                outcome = "lease extended to " + k.status.expiresAt;
            } else if (cancelAtPeriodEnd && cmd.periodEnd() != null && cmd.periodEnd().isAfter(now)) {
                k.status.expiresAt = cmd.periodEnd();
                outcome = "cluster ends at the period end " + cmd.periodEnd();
            } else {
                ClusterLifecycle.markDeleting(k, "OrderCancelled", "billing: " + cmd.eventType() + " " + cmd.eventId(), now);
                outcome = "cluster ended";
            }
            ClusterStore.update(c, k, k.metadata.version);
            WorkQueue.enqueue(c, ClusterOrders.RECONCILE, k.id, Instant.now());
            markApplied(c, row.id(), outcome, clusterId);
            complete(c, item);
            return null;
        });
    }

    /** Whether an event with these link keys (space-separated, as recorded) names one of {@code keys}. */
    static boolean waitsFor(String linkKeys, Set<String> keys) {
        if (linkKeys == null || linkKeys.isBlank()) {
            return false;
        }
        String recorded = " " + linkKeys + " ";
        for (String k : keys) {
            if (recorded.contains(" " + k + " ")) {
                return true;
            }
        }
        return false;
    }

    private static String linked(Connection c, BillingCommand cmd) throws SQLException {
        for (String key : BillingInbox.links(cmd)) {
            String id = Db.one(c, "select cluster_id from billing_links where link_key = ?", rs -> rs.getString(1), key);
            if (id != null) {
                return id;
            }
        }
        return null;
    }

    private static void markApplied(Connection c, long id, String outcome, String clusterId) throws SQLException {
        Db.update(c, "update billing_events set status = 'APPLIED', reason = ?, cluster_id = ?, processed_at = ? where id = ?",
                outcome, clusterId, Instant.now(), id);
    }

    private void finish(long id, String status, String reason, String clusterId, WorkQueue.Item item) {
        db.tx(c -> {
            Db.update(c, "update billing_events set status = ?, reason = ?, cluster_id = ?, processed_at = ?"
                    + " where id = ?", status, reason, clusterId, Instant.now(), id);
            complete(c, item);
            return null;
        });
    }

    /** A permanent problem: recorded with its reason, visible to the provider, and reported as an event. */
    private void reject(Row row, BillingCommand cmd, String reason, WorkQueue.Item item) {
        LOG.warnf("billing event %s/%s rejected: %s", row.provider(), row.eventId(), reason);
        db.tx(c -> {
            Db.update(c, "update billing_events set status = 'REJECTED', reason = ?, processed_at = ? where id = ?",
                    reason, Instant.now(), row.id());
            Map<String, Object> data = new LinkedHashMap<>();
            data.put("provider", row.provider());
            data.put("event_id", row.eventId());
            data.put("event_type", cmd.eventType());
            data.put("order_reference", cmd.orderReference());
            data.put("reason", reason);
            Outbox.append(c, "billing.rejected", cmd.tenant(), row.eventId(), data);
            complete(c, item);
            return null;
        });
    }

    private static ProblemException problem(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof ProblemException p) {
                return p;
            }
        }
        return null;
    }
}
