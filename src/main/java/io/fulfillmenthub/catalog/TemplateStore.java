package io.fulfillmenthub.catalog;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;

import io.fulfillmenthub.http.Page;
import io.fulfillmenthub.http.ProblemException;
import io.fulfillmenthub.store.Db;
import io.fulfillmenthub.store.Json;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/** Every published version of every template; a cluster keeps the version it was made from. */
@ApplicationScoped
public class TemplateStore {

    @Inject
    Db db;

    /** Inserts the catalog files' versions the store does not have yet; returns how many were new. */
    public int sync(List<Template> templates) {
        return db.tx(c -> {
            int added = 0;
            for (Template t : templates) {
                Template stored = get(c, t.id, t.version);
                if (stored == null) {
                    insert(c, t, "catalog");
                    added++;
                } else if (t.deprecated && !stored.deprecated) {
                    Db.update(c, "update cluster_templates set deprecated = true, updated_at = ? where id = ? and version = ?",
                            now(), t.id, t.version);
                }
            }
            return added;
        });
    }

    /** Publishes a template: a new id starts at version 1, a known id gets the next version. */
    public Template publish(Template t) {
        t.validate();
        return db.tx(c -> {
            Integer max = Db.one(c, "select max(version) from cluster_templates where id = ?",
                    rs -> rs.getObject(1) == null ? null : rs.getInt(1), t.id);
            t.version = max == null ? 1 : max + 1;
            t.deprecated = false;
            insert(c, t, "api");
            return get(c, t.id, t.version);
        });
    }

    /** Deprecates (or revives) every version of a template: no new orders, existing clusters unaffected. */
    public Template setDeprecated(String id, boolean deprecated) {
        return db.tx(c -> {
            int n = Db.update(c, "update cluster_templates set deprecated = ?, updated_at = ? where id = ?",
                    deprecated, now(), id);
            if (n == 0) {
                throw ProblemException.notFound("cluster template", id);
            }
            return latest(c, id);
        });
    }

    public Template latest(String id) {
        return db.read(c -> latest(c, id));
    }

    public Template get(String id, int version) {
        return db.read(c -> get(c, id, version));
    }

    /** The newest version of each template, ordered by id. */
    public List<Template> listLatest(Page page, boolean includeDeprecated) {
        return db.read(c -> Db.list(c, "select t.* from cluster_templates t where t.version = "
                + "(select max(v.version) from cluster_templates v where v.id = t.id)"
                + (includeDeprecated ? "" : " and t.deprecated = false")
                + " order by t.id offset ? rows fetch next ? rows only", TemplateStore::map, page.offset(), page.limit()));
    }

    public long countLatest(boolean includeDeprecated) {
        return db.read(c -> Db.count(c, "select count(distinct id) from cluster_templates t"
                + (includeDeprecated ? "" : " where t.version = (select max(v.version) from cluster_templates v where v.id = t.id)"
                        + " and t.deprecated = false")));
    }

    public List<Template> versions(String id) {
        return db.read(c -> Db.list(c, "select * from cluster_templates where id = ? order by version",
                TemplateStore::map, id));
    }

    static Template latest(Connection c, String id) throws SQLException {
        return Db.one(c, "select * from cluster_templates where id = ? order by version desc fetch first 1 rows only",
                TemplateStore::map, id);
    }

    static Template get(Connection c, String id, Integer version) throws SQLException {
        return Db.one(c, "select * from cluster_templates where id = ? and version = ?", TemplateStore::map, id, version);
    }

    private static void insert(Connection c, Template t, String origin) throws SQLException {
        Instant now = now();
        t.creationTimestamp = null;
        Db.update(c, "insert into cluster_templates (id, version, title, deprecated, body, origin, created_at, updated_at)"
                + " values (?, ?, ?, ?, ?, ?, ?, ?)", t.id, t.version, t.title, t.deprecated, Json.write(t), origin, now, now);
    }

    private static Template map(ResultSet rs) throws SQLException {
        Template t = Json.read(rs.getString("body"), Template.class);
        t.version = rs.getInt("version");
        t.deprecated = rs.getBoolean("deprecated");
        t.creationTimestamp = Db.instant(rs, "created_at");
        return t;
    }

    static Instant now() {
        return Instant.now().truncatedTo(ChronoUnit.MILLIS);
    }
}
