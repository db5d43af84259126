package io.fulfillmenthub.inventory;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import io.fulfillmenthub.http.Page;
import io.fulfillmenthub.store.Db;
import io.fulfillmenthub.store.ListCounts;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/** The hosts table: the hub's mirror of the management hub's Agents. */
@ApplicationScoped
public class InventoryStore {

    @Inject
    Db db;
    @Inject
    ListCounts counts;

    public record Filter(String hostClass, String state, String clusterId) {
    }

    /** Inserts or refreshes a host row; returns the previous state (null when new). */
    public static HostState upsert(Connection c, Host h, Instant now) throws SQLException {
        HostState before = Db.one(c, "select state from hosts where id = ?", rs -> HostState.valueOf(rs.getString(1)), h.id);
        if (before != null) {
            update(c, h, now);
            return before;
        }
        // the watch and the periodic resync may both insert a new host: the loser updates instead
        java.sql.Savepoint sp = c.getAutoCommit() ? null : c.setSavepoint();
        try {
            Db.update(c, "insert into hosts (id, host_class, state, cluster_id, node_set, hostname, bmc_address, bmh_name,"
                    + " reason, synced_at, updated_at) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    h.id, h.status.hostClass, h.status.state, h.status.clusterId, h.status.nodeSet, h.status.hostname,
                    h.status.bmcAddress, h.status.bareMetalHost, h.spec.reason, now, now);
        } catch (SQLException e) {
            if (!Db.isUniqueViolation(e)) {
                throw e;
            }
            if (sp != null) {
                c.rollback(sp);
            }
            update(c, h, now);
        }
        return null;
    }

    private static void update(Connection c, Host h, Instant now) throws SQLException {
        Db.update(c, "update hosts set host_class = ?, state = ?, cluster_id = ?, node_set = ?, hostname = ?,"
                + " bmc_address = ?, bmh_name = ?, reason = ?, synced_at = ?,"
                + " updated_at = case when state = ? and coalesce(cluster_id, '') = ? then updated_at else ? end"
                + " where id = ?",
                h.status.hostClass, h.status.state, h.status.clusterId, h.status.nodeSet, h.status.hostname,
                h.status.bmcAddress, h.status.bareMetalHost, h.spec.reason, now,
                h.status.state.name(), h.status.clusterId == null ? "" : h.status.clusterId, now, h.id);
    }

    /** Removes rows not seen since {@code before} (their Agent is gone). */
    public int prune(Instant before) {
        return db.tx(c -> Db.update(c, "delete from hosts where synced_at < ?", before));
    }

    public Host get(String id) {
        return db.read(c -> Db.one(c, "select * from hosts where id = ?", InventoryStore::map, id));
    }

    public List<Host> list(Filter f, Page page) {
        List<Object> args = new ArrayList<>();
        String where = where(f, args);
        args.add(page.offset());
        args.add(page.limit());
        return db.read(c -> Db.list(c, Db.pageById("*", "hosts", where, "id"), InventoryStore::map, args.toArray()));
    }

    public long count(Filter f) {
        if (f.clusterId() == null) {
            // by class and state only: the kept counts (V8), not a count of the rows
            return counts.total("hosts", f.hostClass(), f.state(), null);
        }
        return countRows(f);
    }

    /** The same total, counted in the table (every filter). */
    public long countRows(Filter f) {
        List<Object> args = new ArrayList<>();
        String where = where(f, args);
        return db.read(c -> Db.count(c, "select count(*) from hosts" + where, args.toArray()));
    }

    /** A host by Agent name, hostname, or BMC address (its host part), for alert routing. */
    public Host findByHint(String hint) {
        if (hint == null || hint.isBlank()) {
            return null;
        }
        String h = hint.trim();
        return db.read(c -> {
            Host byId = Db.one(c, "select * from hosts where id = ? or hostname = ?", InventoryStore::map, h, h);
            if (byId != null) {
                return byId;
            }
            Host byBmc = Db.one(c, "select * from hosts where bmc_address = ?", InventoryStore::map, h);
            if (byBmc != null) {
                return byBmc;
            }
            // a BMC address given as host or host:port matches the host part of the stored URL
            String host = h.replaceFirst("^[a-z+-]+://", "").replaceFirst("[:/].*$", "");
            if (host.isEmpty()) {
                return null;
            }
            List<Host> candidates = Db.list(c, "select * from hosts where bmc_address like ?", InventoryStore::map,
                    "%://" + host + "%");
            for (Host cand : candidates) {
                String stored = cand.status.bmcAddress.replaceFirst("^[a-z+-]+://", "").replaceFirst("[:/].*$", "");
                if (stored.equals(host)) {
                    return cand;
                }
            }
            return null;
        });
    }

    private static String where(Filter f, List<Object> args) {
        List<String> clauses = new ArrayList<>();
        if (f.hostClass() != null) {
            clauses.add("host_class = ?");
            args.add(f.hostClass());
        }
        if (f.state() != null) {
            clauses.add("state = ?");
            args.add(f.state());
        }
        if (f.clusterId() != null) {
            clauses.add("cluster_id = ?");
            args.add(f.clusterId());
        }
        return clauses.isEmpty() ? "" : " where " + String.join(" and ", clauses);
    }

    static Host map(ResultSet rs) throws SQLException {
        Host h = new Host();
        h.id = rs.getString("id");
        h.status.hostClass = rs.getString("host_class");
        h.status.state = HostState.valueOf(rs.getString("state"));
        h.status.clusterId = rs.getString("cluster_id");
        h.status.nodeSet = rs.getString("node_set");
        h.status.hostname = rs.getString("hostname");
        h.status.bmcAddress = rs.getString("bmc_address");
        h.status.bareMetalHost = rs.getString("bmh_name");
        h.status.updatedAt = Db.instant(rs, "updated_at");
        h.spec.state = h.status.state == HostState.RESERVED ? HostState.AVAILABLE : h.status.state;
        h.spec.reason = rs.getString("reason");
        return h;
    }
}
