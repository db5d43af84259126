package io.fulfillmenthub.clusters;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import com.fasterxml.jackson.databind.SerializationFeature;
import io.fulfillmenthub.catalog.Template;
import io.fulfillmenthub.catalog.TemplateStore;
import io.fulfillmenthub.events.Outbox;
import io.fulfillmenthub.http.Api;
import io.fulfillmenthub.http.Page;
import io.fulfillmenthub.http.ProblemException;
import io.fulfillmenthub.security.Auth;
import io.fulfillmenthub.security.Caller;
import io.fulfillmenthub.security.Role;
import io.fulfillmenthub.store.Db;
import io.fulfillmenthub.store.Json;
import io.fulfillmenthub.store.WorkQueue;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.inject.Named;
import org.apache.camel.Exchange;

/** The clusters resource of the tenant and provider APIs. */
@ApplicationScoped
@Named("clusterApi")
public class ClusterApi {

    @Inject
    Auth auth;
    @Inject
    Db db;
    @Inject
    ClusterStore clusters;
    @Inject
    TemplateStore templates;

    /** POST /clusters, first half: authenticate, parse and turn the body into an {@link Order} for the intake. */
    public void parseOrder(Exchange ex) {
        Caller caller = auth.require(ex, Role.TENANT_ADMIN);
        OrderRequest req = Api.body(ex, OrderRequest.class, false);
        Order o = new Order();
        o.tenant = caller.tenant();
        o.source = "api";
        if (req.metadata != null) {
            o.name = req.metadata.name;
            o.labels = req.metadata.labels;
            o.annotations = req.metadata.annotations;
        }
        o.spec = req.spec;
        String key = Api.header(ex, "Idempotency-Key");
        if (key != null) {
            if (key.isBlank() || key.length() > 255) {
                throw ProblemException.invalid("Idempotency-Key", "Idempotency-Key must be 1 to 255 characters");
            }
            o.idempotencyKey = key;
            o.reference = key;
            o.requestHash = hash(Api.rawBody(ex));
        }
        ex.getMessage().setBody(o);
    }

    /** POST /clusters, second half: 201 with the cluster (also when an idempotent retry finds it). */
    public void created(Exchange ex) {
        Order.Placed placed = ex.getMessage().getBody(Order.Placed.class);
        Cluster k = placed.cluster();
        Api.json(ex, 201, k);
        Api.responseHeader(ex, "Location", "/api/fulfillment/v1/clusters/" + k.id);
        Api.responseHeader(ex, "ETag", etag(k));
        if (!placed.created()) {
            Api.responseHeader(ex, "Idempotent-Replayed", "true");
        }
    }

    public void list(Exchange ex) {
        Caller caller = auth.require(ex, Role.TENANT_USER);
        listFor(ex, caller.tenant());
    }

    public void adminList(Exchange ex) {
        auth.require(ex, Role.SRE, Role.PROVIDER_ADMIN);
        listFor(ex, blankToNull(Api.query(ex, "tenant")));
    }

    private void listFor(Exchange ex, String tenant) {
        Page page = Api.page(ex);
        String state = blankToNull(Api.query(ex, "state"));
        if (state != null) {
            try {
                state = ClusterState.valueOf(state.toUpperCase(Locale.ROOT)).name();
            } catch (IllegalArgumentException e) {
                throw ProblemException.invalid("state", "state must be one of PROGRESSING, READY, FAILED, DELETING, DELETED");
            }
        }
        ClusterStore.Filter f = new ClusterStore.Filter(tenant, state, blankToNull(Api.query(ex, "name")),
                blankToNull(Api.query(ex, "template")), blankToNull(Api.query(ex, "reason")));
        // reads write the stored JSON as it is (ClusterStore.Stored): the same body as the parsed Cluster would give
        List<ClusterStore.Stored> items = clusters.listStored(f, page);
        Api.json(ex, 200, Page.envelope(items, clusters.count(f)));
    }

    public void get(Exchange ex) {
        Caller caller = auth.require(ex, Role.TENANT_USER);
        String id = Api.header(ex, "id");
        ClusterStore.Stored k = id == null ? null : clusters.getStored(id);
        if (k == null || !k.metadata.tenant.equals(caller.tenant())) {
            throw ProblemException.notFound("cluster", id);
        }
        Api.json(ex, 200, k);
        Api.responseHeader(ex, "ETag", "\"" + k.metadata.version + "\"");
    }

    public void adminGet(Exchange ex) {
        auth.require(ex, Role.SRE, Role.PROVIDER_ADMIN);
        String id = Api.header(ex, "id");
        ClusterStore.Stored k = id == null ? null : clusters.getStored(id);
        if (k == null) {
            throw ProblemException.notFound("cluster", id);
        }
        Api.json(ex, 200, k);
    }

    /** The caller's own cluster, or 404 (another tenant's cluster does not exist for them). */
    public Cluster visible(Caller caller, String id) {
        Cluster k = id == null ? null : clusters.get(id);
        if (k == null || !k.metadata.tenant.equals(caller.tenant())) {
            throw ProblemException.notFound("cluster", id);
        }
        return k;
    }

    /** PATCH /clusters/{id}: scale node sets within the template's bounds; labels and annotations. */
    public void patch(Exchange ex) {
        Caller caller = auth.require(ex, Role.TENANT_ADMIN);
        String id = Api.header(ex, "id");
        PatchRequest req = Api.body(ex, PatchRequest.class, true);
        if (req.metadata != null && req.metadata.name != null) {
            throw ProblemException.invalid("metadata.name", "the name cannot be changed");
        }
        if (req.spec != null && (req.spec.template != null || req.spec.duration != null
                || req.spec.templateParameters != null)) {
            throw ProblemException.invalid("spec", "only spec.node_sets can change after ordering; "
                    + "template, parameters and duration are fixed");
        }
        Long expected = ifMatch(Api.header(ex, "If-Match"));
        Cluster result = db.tx(c -> {
            Cluster k = lockOwned(c, caller, id, expected);
            if (k.status.state.isTerminating() || k.status.state == ClusterState.FAILED) {
                throw ProblemException.conflict("a " + k.status.state + " cluster cannot be changed");
            }
            long version = k.metadata.version;
            boolean scaled = false;
            if (req.spec != null && req.spec.nodeSets != null) {
                Template t = templates.get(k.spec.template, k.spec.templateVersion);
                Map<String, Cluster.NodeSetSpec> sizes = ClusterOrders.nodeSets(t, req.spec.nodeSets, false);
                for (Map.Entry<String, Cluster.NodeSetSpec> e : sizes.entrySet()) {
                    Cluster.NodeSetSpec current = k.spec.nodeSets.get(e.getKey());
                    if (current == null || !current.size.equals(e.getValue().size)) {
                        k.spec.nodeSets.put(e.getKey(), e.getValue());
                        Cluster.NodeSetStatus ns = k.status.nodeSets.get(e.getKey());
                        if (ns != null) {
                            ns.size = e.getValue().size;
                        }
                        scaled = true;
                    }
                }
            }
            if (req.metadata != null) {
                if (req.metadata.labels != null) {
                    k.metadata.labels = new java.util.LinkedHashMap<>(req.metadata.labels);
                }
                if (req.metadata.annotations != null) {
                    k.metadata.annotations = new java.util.LinkedHashMap<>(req.metadata.annotations);
                }
            }
            if (scaled) {
                k.status.setCondition("WorkersReady", false, "Scaling", "node sets are being resized", now());
            }
            ClusterStore.update(c, k, version);
            if (scaled) {
                Outbox.append(c, "cluster.scaled", k.metadata.tenant, k.id, k);
                WorkQueue.enqueue(c, ClusterOrders.RECONCILE, k.id, Instant.now());
            }
            return k;
        });
        Api.json(ex, 202, result);
        Api.responseHeader(ex, "ETag", etag(result));
    }

    /** DELETE /clusters/{id}: the cluster goes to DELETING; the reconcile tears it down and releases its hosts. */
    public void delete(Exchange ex) {
        Caller caller = auth.require(ex, Role.TENANT_ADMIN);
        String id = Api.header(ex, "id");
        Long expected = ifMatch(Api.header(ex, "If-Match"));
        Cluster result = db.tx(c -> {
            Cluster k = lockOwned(c, caller, id, expected);
            if (!k.status.state.isTerminating()) {
                ClusterLifecycle.markDeleting(k, "DeletionRequested", "deletion requested by " + caller.subject(), now());
                ClusterStore.update(c, k, k.metadata.version);
                WorkQueue.enqueue(c, ClusterOrders.RECONCILE, k.id, Instant.now());
            }
            return k;
        });
        Api.json(ex, 202, result);
    }

    /** Locks the caller's own cluster for a write: 404 when it is not theirs, 412 when If-Match names another version. */
    private static Cluster lockOwned(java.sql.Connection c, Caller caller, String id, Long expected)
            throws java.sql.SQLException {
        Cluster k = ClusterStore.lock(c, id);
        if (k == null || !k.metadata.tenant.equals(caller.tenant())) {
            throw ProblemException.notFound("cluster", id);
        }
        if (expected != null && expected != k.metadata.version) {
            throw ProblemException.preconditionFailed("If-Match names version " + expected
                    + " but the cluster is at version " + k.metadata.version);
        }
        return k;
    }

    static Long ifMatch(String header) {
        if (header == null || header.isBlank() || header.trim().equals("*")) {
            return null;
        }
        String v = header.trim();
        if (v.startsWith("W/")) {
            v = v.substring(2);
        }
        v = v.replace("\"", "");
        try {
            return Long.parseLong(v);
        } catch (NumberFormatException e) {
            throw ProblemException.invalid("If-Match", "If-Match must carry the cluster's metadata.version");
        }
    }

    static String etag(Cluster k) {
        return "\"" + k.metadata.version + "\"";
    }

    static String hash(byte[] raw) {
        try {
            Object canonical = Json.MAPPER.readValue(raw, Object.class);
            byte[] bytes = Json.MAPPER.writer().with(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
                    .writeValueAsString(canonical).getBytes(StandardCharsets.UTF_8);
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (java.io.IOException | NoSuchAlgorithmException e) {
            throw ProblemException.invalid(null, "malformed JSON");
        }
    }

    static Instant now() {
        return Instant.now().truncatedTo(ChronoUnit.MILLIS);
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s.trim();
    }
}
