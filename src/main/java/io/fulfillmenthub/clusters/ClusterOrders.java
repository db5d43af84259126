package io.fulfillmenthub.clusters;

import java.security.SecureRandom;
import java.sql.SQLException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Pattern;

import io.fulfillmenthub.catalog.LeaseDuration;
import io.fulfillmenthub.catalog.Parameters;
import io.fulfillmenthub.catalog.Template;
import io.fulfillmenthub.catalog.TemplateStore;
import io.fulfillmenthub.events.Outbox;
import io.fulfillmenthub.http.ProblemException;
import io.fulfillmenthub.store.Db;
import io.fulfillmenthub.store.WorkQueue;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.inject.Named;

/**
 * The order intake's domain steps, called by the {@code order-intake} YAML route: validate an order against its
 * template, then place it (cluster, idempotency key, {@code cluster.created} event and reconcile request in one
 * transaction).
 */
@ApplicationScoped
@Named("clusterOrders")
public class ClusterOrders {

    public static final String RECONCILE = "reconcile";
    static final Pattern NAME = Pattern.compile("[a-z0-9]([-a-z0-9]{0,38}[a-z0-9])?");
    private static final SecureRandom RANDOM = new SecureRandom();

    @Inject
    Db db;
    @Inject
    TemplateStore templates;
    @Inject
    MeterRegistry metrics;

    /** Resolves the template, sizes, duration and parameters; refusals are 400 problems naming the field. */
    public Order validate(Order o) {
        if (o.spec == null) {
            throw ProblemException.invalid("spec", "spec is required");
        }
        if (o.spec.template == null || o.spec.template.isBlank()) {
            throw ProblemException.invalid("spec.template", "spec.template is required");
        }
        Template t = templates.latest(o.spec.template);
        if (t == null) {
            throw ProblemException.invalid("spec.template", "unknown cluster template '" + o.spec.template + "'");
        }
        if (t.deprecated) {
            throw ProblemException.invalid("spec.template", "cluster template '" + t.id + "' is deprecated");
        }
        if (o.name != null && !NAME.matcher(o.name).matches()) {
            throw ProblemException.invalid("metadata.name",
                    "name must be a lowercase DNS label of at most 40 characters");
        }
        Cluster.Spec spec = new Cluster.Spec();
        spec.template = t.id;
        spec.templateVersion = t.version;
        spec.templateParameters = Parameters.resolve(t, o.spec.templateParameters);
        spec.nodeSets = nodeSets(t, o.spec.nodeSets, true);
        LeaseDuration d;
        if (o.spec.duration == null) {
            d = LeaseDuration.parse(t.defaultDuration);
        } else {
            d = LeaseDuration.parse(o.spec.duration);
            if (d == null) {
                throw ProblemException.invalid("spec.duration",
                        "'" + o.spec.duration + "' is not an ISO 8601 duration such as P30D");
            }
            if (!t.allowedDurations.contains(d.toString())) {
                throw ProblemException.invalid("spec.duration", "duration " + d + " is not allowed by template '"
                        + t.id + "'; allowed: " + String.join(", ", t.allowedDurations));
            }
        }
        spec.duration = d.toString();
        o.template = t;
        o.resolved = spec;
        return o;
    }

    /** Checks node set sizes against the template; with {@code fillDefaults}, missing node sets take their default. */
    public static Map<String, Cluster.NodeSetSpec> nodeSets(Template t, Map<String, Cluster.NodeSetSpec> given,
            boolean fillDefaults) {
        Map<String, Cluster.NodeSetSpec> in = given == null ? Map.of() : given;
        for (String name : in.keySet()) {
            if (t.nodeSet(name) == null) {
                throw ProblemException.invalid("spec.node_sets." + name, "template '" + t.id
                        + "' has no node set '" + name + "'; it has " + String.join(", ", t.nodeSets.keySet()));
            }
        }
        Map<String, Cluster.NodeSetSpec> out = new LinkedHashMap<>();
        for (Map.Entry<String, Template.NodeSet> e : t.nodeSets.entrySet()) {
            Cluster.NodeSetSpec s = in.get(e.getKey());
            if (s == null) {
                if (fillDefaults) {
                    out.put(e.getKey(), new Cluster.NodeSetSpec(e.getValue().defaultSize));
                }
                continue;
            }
            String f = "spec.node_sets." + e.getKey() + ".size";
            if (s.size == null) {
                throw ProblemException.invalid(f, "size is required");
            }
            Template.NodeSet n = e.getValue();
            if (s.size < n.minSize || s.size > n.maxSize) {
                throw ProblemException.invalid(f, "size " + s.size + " is outside the template's bounds "
                        + n.minSize + ".." + n.maxSize);
            }
            out.put(e.getKey(), new Cluster.NodeSetSpec(s.size));
        }
        return out;
    }

    /** Places a validated order exactly once per idempotency key. */
    public Order.Placed place(Order o) {
        for (int attempt = 0; ; attempt++) {
            try {
                Order.Placed placed = db.tx(c -> {
                    if (o.idempotencyKey != null) {
                        Order.Placed earlier = replay(c, o);
                        if (earlier != null) {
                            return earlier;
                        }
                    }
                    Cluster k = newCluster(o);
                    ClusterStore.insert(c, k);
                    if (o.idempotencyKey != null) {
                        Db.update(c, "insert into idempotency_keys (tenant, idem_key, request_hash, cluster_id, created_at)"
                                + " values (?, ?, ?, ?, ?)", o.tenant, o.idempotencyKey, o.requestHash, k.id, Instant.now());
                    }
                    Outbox.append(c, "cluster.created", k.metadata.tenant, k.id, k);
                    WorkQueue.enqueue(c, RECONCILE, k.id, Instant.now());
                    return new Order.Placed(k, true);
                });
                if (placed.created()) {
                    metrics.counter("hub_orders_total", "source", o.source).increment();
                }
                return placed;
            } catch (RuntimeException e) {
                // a concurrent request with the same key (or cluster id) won: answer as it did
                if (attempt == 0 && Db.isUniqueViolation(e)) {
                    continue;
                }
                throw e;
            }
        }
    }

    private Order.Placed replay(java.sql.Connection c, Order o) throws SQLException {
        record Earlier(String hash, String clusterId) {
        }
        Earlier e = Db.one(c, "select request_hash, cluster_id from idempotency_keys where tenant = ? and idem_key = ?",
                rs -> new Earlier(rs.getString(1), rs.getString(2)), o.tenant, o.idempotencyKey);
        if (e == null) {
            return null;
        }
        if (!e.hash().equals(o.requestHash)) {
            throw ProblemException.conflict("Idempotency-Key '" + o.idempotencyKey
                    + "' was already used with a different request body");
        }
        return new Order.Placed(ClusterStore.get(c, e.clusterId()), false);
    }

    private Cluster newCluster(Order o) {
        Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        Cluster k = new Cluster();
        k.id = o.clusterId != null ? o.clusterId : UUID.randomUUID().toString();
        k.metadata.name = o.name != null ? o.name : o.template.id + "-" + suffix();
        k.metadata.tenant = o.tenant;
        if (o.labels != null) {
            k.metadata.labels.putAll(o.labels);
        }
        if (o.annotations != null) {
            k.metadata.annotations.putAll(o.annotations);
        }
        k.metadata.creationTimestamp = now;
        k.metadata.version = 1;
        k.spec = o.resolved;
        k.status.state = ClusterState.PROGRESSING;
        k.status.order = new Cluster.Order(o.source, o.reference);
        k.status.expiresAt = LeaseDuration.parse(k.spec.duration).addTo(now);
        for (Map.Entry<String, Cluster.NodeSetSpec> e : k.spec.nodeSets.entrySet()) {
            k.status.nodeSets.put(e.getKey(),
                    new Cluster.NodeSetStatus(o.template.nodeSet(e.getKey()).hostClass, e.getValue().size, 0));
        }
        k.status.setCondition("Accepted", true, "OrderAccepted", "the order was accepted from " + o.source, now);
        k.status.setCondition("HostsReserved", false, "Pending", "waiting for hosts to be reserved", now);
        k.status.setCondition("ControlPlaneAvailable", false, "Pending", "the control plane is not created yet", now);
        k.status.setCondition("WorkersReady", false, "Pending", "no worker has joined yet", now);
        k.status.setCondition("Ready", false, "Provisioning", "the cluster is being provisioned", now);
        k.status.setCondition("Degraded", false, "AsExpected", null, now);
        k.status.setCondition("Failed", false, "AsExpected", null, now);
        return k;
    }

    private static String suffix() {
        String chars = "abcdefghijklmnopqrstuvwxyz0123456789";
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 5; i++) {
            sb.append(chars.charAt(RANDOM.nextInt(chars.length())));
        }
        return sb.toString();
    }
}
