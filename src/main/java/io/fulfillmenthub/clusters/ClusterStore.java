package io.fulfillmenthub.clusters;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.annotation.JsonRawValue;
import com.fasterxml.jackson.core.type.TypeReference;
import io.fulfillmenthub.http.Page;
import io.fulfillmenthub.store.Db;
import io.fulfillmenthub.store.Json;
import io.fulfillmenthub.store.ListCounts;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/** Clusters in the store. Every write bumps {@code metadata.version} and is checked against the version read. */
@ApplicationScoped
public class ClusterStore {

    private static final TypeReference<Map<String, String>> STRING_MAP = new TypeReference<>() {
    };

    @Inject
    Db db;
    @Inject
    ListCounts counts;

    /** Filters of the list endpoints; null means "any". */
    public record Filter(String tenant, String state, String name, String template, String reason) {
    }

    public static void insert(Connection c, Cluster k) throws SQLException {
        Db.update(c, "insert into clusters (id, tenant, name, template_id, template_version, state, reason, version, spec,"
                + " status, labels, annotations, order_source, order_reference, created_at, updated_at, deleted_at, expires_at)"
                + " values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                k.id, k.metadata.tenant, k.metadata.name, k.spec.template, k.spec.templateVersion, k.status.state,
                k.status.reason,
                k.metadata.version, specJson(k.spec), statusJson(k.status),
                Json.write(k.metadata.labels),
                Json.write(k.metadata.annotations), k.status.order.source, k.status.order.reference,
                k.metadata.creationTimestamp, k.metadata.creationTimestamp, k.metadata.deletionTimestamp,
                k.status.expiresAt);
    }

    /**
     * Writes a changed cluster if nobody changed it since it was read ({@code expectedVersion}); bumps the version.
     * Returns false when the stored version moved on.
     */
    public static boolean update(Connection c, Cluster k, long expectedVersion) throws SQLException {
        k.metadata.version = expectedVersion + 1;
        int n = Db.update(c, "update clusters set state = ?, reason = ?, version = ?, spec = ?, status = ?, labels = ?, annotations = ?,"
                + " updated_at = ?, deleted_at = ?, expires_at = ? where id = ? and version = ?",
                k.status.state, k.status.reason, k.metadata.version, specJson(k.spec),
                statusJson(k.status),
                Json.write(k.metadata.labels), Json.write(k.metadata.annotations), Instant.now(),
                k.metadata.deletionTimestamp, k.status.expiresAt, k.id, expectedVersion);
        if (n == 0) {
            k.metadata.version = expectedVersion;
        }
        return n == 1;
    }

    /**
     * The JSON stored for spec or status: what reading it back and writing it again gives (a field the object holds
     * as null but a read fills with its default, say an absent {@code template_parameters}, is stored as that
     * default). Reads then write the stored text as it is ({@link Stored}) and answer what a parse would have.
     */
    static <T> String canonical(T value, Class<T> type) {
        String once = Json.write(value);
        return Json.write(Json.read(once, type));
    }

    /**
     * {@link #canonical} of a spec, written once when that is already what a read gives back: its collections are
     * there and its template parameters are plain JSON values (text, booleans, integers, finite doubles, lists and
     * objects of them). A decimal such as {@code 1.50}, say, reads back as {@code 1.5}: that one goes the long way.
     */
    static String specJson(Cluster.Spec spec) {
        if (spec.templateParameters != null && spec.nodeSets != null && plain(spec.templateParameters)) {
            return Json.write(spec);
        }
        return canonical(spec, Cluster.Spec.class);
    }

    /** {@link #canonical} of a status, written once when its collections are there (the rest reads back as written). */
    static String statusJson(Cluster.Status status) {
        if (status.conditions != null && status.nodeSets != null) {
            return Json.write(status);
        }
        return canonical(status, Cluster.Status.class);
    }

    /** Whether the value reads back from its JSON as the same value, so that writing it again gives the same text. */
    static boolean plain(Object v) {
        if (v == null || v instanceof String || v instanceof Boolean || v instanceof Integer || v instanceof Long
                || v instanceof java.math.BigInteger) {
            return true;
        }
        if (v instanceof Double d) {
            return Double.isFinite(d);
        }
        if (v instanceof Map<?, ?> m) {
            for (Map.Entry<?, ?> e : m.entrySet()) {
                if (!(e.getKey() instanceof String) || !plain(e.getValue())) {
                    return false;
                }
            }
            return true;
        }
        if (v instanceof List<?> l) {
            for (Object o : l) {
                if (!plain(o)) {
                    return false;
                }
            }
            return true;
        }
        return false;
    }

    public static Cluster get(Connection c, String id) throws SQLException {
        return Db.one(c, "select * from clusters where id = ?", ClusterStore::map, id);
    }

    /** Reads the cluster and locks its row until the transaction ends. */
    public static Cluster lock(Connection c, String id) throws SQLException {
        return Db.one(c, "select * from clusters where id = ? for update", ClusterStore::map, id);
    }

    public Cluster get(String id) {
        return db.read(c -> get(c, id));
    }

    public List<Cluster> list(Filter f, Page page) {
        List<Object> args = new ArrayList<>();
        String where = where(f, args);
        args.add(page.offset());
        args.add(page.limit());
        return db.read(c -> Db.list(c, Db.pageById("*", "clusters", where, "created_at, id"), ClusterStore::map,
                args.toArray()));
    }

    /** The same page as {@link #list}, as stored: for responses, without parsing the JSON columns. */
    public List<Stored> listStored(Filter f, Page page) {
        List<Object> args = new ArrayList<>();
        String where = where(f, args);
        args.add(page.offset());
        args.add(page.limit());
        return db.read(c -> Db.list(c, Db.pageById(STORED_COLUMNS, "clusters", where, "created_at, id"),
                ClusterStore::stored, args.toArray()));
    }

    /** A cluster as stored (see {@link Stored}), or null. */
    public Stored getStored(String id) {
        return db.read(c -> Db.one(c, "select " + STORED_COLUMNS + " from clusters where id = ?", ClusterStore::stored, id));
    }

    public long count(Filter f) {
        if (f.name() == null && f.template() == null && f.reason() == null) {
            // by tenant and state only: the kept counts (V8), not a count of the rows
            return counts.total("clusters", f.tenant(), f.state(), f.state() == null ? "DELETED" : null);
        }
        return countRows(f);
    }

    /** The same total, counted in the table (every filter). */
    public long countRows(Filter f) {
        List<Object> args = new ArrayList<>();
        String where = where(f, args);
        return db.read(c -> Db.count(c, "select count(*) from clusters" + where, args.toArray()));
    }

    /** Cluster counts per state, for the metrics (from the kept counts, V8). */
    public Map<String, Long> countByState() {
        Map<String, Long> out = new LinkedHashMap<>();
        for (ClusterState s : ClusterState.values()) {
            out.put(s.name(), 0L);
        }
        out.putAll(counts.byK2("clusters"));
        return out;
    }

    private static String where(Filter f, List<Object> args) {
        List<String> clauses = new ArrayList<>();
        if (f.tenant() != null) {
            clauses.add("tenant = ?");
            args.add(f.tenant());
        }
        if (f.state() != null) {
            clauses.add("state = ?");
            args.add(f.state());
        } else {
            // deleted clusters leave the lists; they stay readable by id, or with state=DELETED
            clauses.add("state <> 'DELETED'");
        }
        if (f.name() != null) {
            clauses.add("name = ?");
            args.add(f.name());
        }
        if (f.template() != null) {
            clauses.add("template_id = ?");
            args.add(f.template());
        }
        if (f.reason() != null) {
            clauses.add("reason = ?");
            args.add(f.reason());
        }
        return clauses.isEmpty() ? "" : " where " + String.join(" and ", clauses);
    }

    private static final String STORED_COLUMNS = "id, name, tenant, labels, annotations, created_at, deleted_at, version,"
            + " spec, status";

    /**
     * A cluster for a response, its JSON columns written out as stored. Every column is written by {@link #insert} or
     * {@link #update} as {@code Json.write} of the same objects {@link Cluster} holds, so the bytes are those a parse
     * and re-serialisation of the {@link Cluster} would give (same fields, same order), without the work: a page of 50
     * is 200 stored documents.
     */
    @JsonPropertyOrder({"id", "metadata", "spec", "status"})
    public static final class Stored {
        public String id;
        public StoredMetadata metadata = new StoredMetadata();
        @JsonRawValue
        public String spec;
        @JsonRawValue
        public String status;
    }

    /** {@link Cluster.Metadata} with labels and annotations as stored JSON; same fields in the same order. */
    @JsonPropertyOrder({"name", "tenant", "labels", "annotations", "creation_timestamp", "deletion_timestamp", "version"})
    public static final class StoredMetadata {
        public String name;
        public String tenant;
        @JsonRawValue
        public String labels;
        @JsonRawValue
        public String annotations;
        public Instant creationTimestamp;
        public Instant deletionTimestamp;
        public long version;
    }

    static Stored stored(ResultSet rs) throws SQLException {
        Stored k = new Stored();
        k.id = rs.getString(1);
        k.metadata.name = rs.getString(2);
        k.metadata.tenant = rs.getString(3);
        k.metadata.labels = raw(rs.getString(4));
        k.metadata.annotations = raw(rs.getString(5));
        k.metadata.creationTimestamp = Db.instant(rs, 6);
        k.metadata.deletionTimestamp = Db.instant(rs, 7);
        k.metadata.version = rs.getLong(8);
        k.spec = raw(rs.getString(9));
        k.status = raw(rs.getString(10));
        return k;
    }

    /** A stored JSON {@code null} (a map the cluster did not have) is left out of the response, as a parse would. */
    private static String raw(String json) {
        return json == null || json.equals("null") ? null : json;
    }

    static Cluster map(ResultSet rs) throws SQLException {
        Cluster k = new Cluster();
        k.id = rs.getString("id");
        k.metadata.name = rs.getString("name");
        k.metadata.tenant = rs.getString("tenant");
        k.metadata.labels = Json.read(rs.getString("labels"), STRING_MAP);
        k.metadata.annotations = Json.read(rs.getString("annotations"), STRING_MAP);
        k.metadata.creationTimestamp = Db.instant(rs, "created_at");
        k.metadata.deletionTimestamp = Db.instant(rs, "deleted_at");
        k.metadata.version = rs.getLong("version");
        k.spec = Json.read(rs.getString("spec"), Cluster.Spec.class);
        k.status = Json.read(rs.getString("status"), Cluster.Status.class);
        return k;
    }
}
