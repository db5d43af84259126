package io.fulfillmenthub.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

import javax.sql.DataSource;

import io.agroal.api.AgroalDataSource;
import io.fulfillmenthub.ops.Aside;
import io.quarkus.agroal.DataSource.DataSourceLiteral;
import io.quarkus.arc.Arc;
import io.quarkus.runtime.Startup;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.apache.camel.quarkus.main.events.BeforeConfigure;
import org.eclipse.microprofile.config.ConfigProvider;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.flywaydb.core.Flyway;
import org.jboss.logging.Logger;

/**
 * The hub's one store: the datasource chosen at run time (H2 file or PostgreSQL), migrated by Flyway at start-up,
 * with small helpers for transactions. Plain JDBC keeps the SQL visible and identical on both databases.
 */
@Startup
@ApplicationScoped
public class Db {

    private static final Logger LOG = Logger.getLogger(Db.class);

    /** Every migration, in order. Quarkus' packaged class loader cannot list a resource folder, so they are named. */
    static final List<String> MIGRATIONS = List.of(
            "V1__foundation.sql",
            "V2__inventory.sql",
            "V3__billing.sql",
            "V4__events.sql",
            "V5__alerts.sql",
            "V6__relay.sql",
            "V7__list_indexes.sql",
            "V8__list_counts.sql",
            "V9__event_retention.sql",
            "V10__live_list_indexes.sql",
            "V11__delivery_indexes.sql");

    @ConfigProperty(name = "hub.db.kind", defaultValue = "h2")
    String kind;

    private DataSource dataSource;

    /**
     * The migration of this application's store, begun by whichever comes first: Camel's boot ({@link #migrateAhead})
     * or this bean's creation. Kept per CDI container, so a test JVM that starts the application again migrates again.
     */
    private static Object migratedFor;
    private static CompletableFuture<DataSource> migration;

    /**
     * Camel's boot is the first moment with runtime configuration: the store is migrated from there on a thread of its
     * own (the first connection, Flyway's set-up and validation take 0.3-0.5 s of a cold JVM), beside the main
     * thread's boot of Camel; {@link #start} waits for it.
     */
    static void migrateAhead(@Observes BeforeConfigure ev) {
        String kind = ConfigProvider.getConfig().getOptionalValue("hub.db.kind", String.class).orElse("h2");
        migration(() -> Aside.begin("store-migration", () -> migrate(kind)));
    }

    private static synchronized CompletableFuture<DataSource> migration(Supplier<CompletableFuture<DataSource>> begin) {
        Object container = Arc.container();
        if (migratedFor != container) {
            migration = begin.get(); // when it throws, nothing is recorded: the next caller migrates
            migratedFor = container;
        }
        return migration;
    }

    @PostConstruct
    void start() {
        dataSource = Aside.join(migration(() -> CompletableFuture.completedFuture(migrate(kind))));
        LOG.infof("Store ready on %s", "pg".equals(kind) ? "PostgreSQL" : "H2 (embedded file)");
    }

    private static DataSource migrate(String kind) {
        DataSource ds = Arc.container().instance(AgroalDataSource.class, new DataSourceLiteral(kind)).get();
        Flyway.configure()
                .dataSource(ds)
                .resourceProvider(new ListedMigrations(MIGRATIONS, "pg".equals(kind) ? "pg" : "h2"))
                // the hub has SQL migrations only: with no class provider Flyway would scan the classpath's
                // db/migration for Java ones at every start (with an uber-jar, every entry of the jar)
                .javaMigrationClassProvider(List::of)
                .load()
                .migrate();
        return ds;
    }

    public String kind() {
        return kind;
    }

    public boolean isPostgres() {
        return "pg".equals(kind);
    }

    public DataSource dataSource() {
        return dataSource;
    }

    /** Runs work in one transaction: committed when it returns, rolled back when it throws. */
    public <T> T tx(SqlWork<T> work) {
        boolean committed = false;
        Wakeups.begin();
        try (Connection c = dataSource.getConnection()) {
            boolean auto = c.getAutoCommit();
            c.setAutoCommit(false);
            try {
                T result = work.run(c);
                c.commit();
                committed = true;
                return result;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            } finally {
                c.setAutoCommit(auto);
            }
        } catch (SQLException e) {
            throw new StoreException(e);
        } finally {
            Wakeups.end(committed);
        }
    }

    /**
     * Runs {@code work} in one transaction after another while it reports a full batch ({@code batch} rows done), so a
     * large clean-up never holds one long transaction. Returns the rows done in all.
     */
    public int inBatches(int batch, SqlWork<Integer> work) {
        int total = 0;
        while (true) {
            int n = tx(work);
            total += n;
            if (n < batch) {
                return total;
            }
        }
    }

    /** Read-only work on a connection in auto-commit mode. */
    public <T> T read(SqlWork<T> work) {
        try (Connection c = dataSource.getConnection()) {
            return work.run(c);
        } catch (SQLException e) {
            throw new StoreException(e);
        }
    }

    public boolean ping() {
        return read(c -> c.isValid(2));
    }

    // ---- small JDBC helpers shared by every capability ----

    @FunctionalInterface
    public interface RowMapper<T> {
        T map(ResultSet rs) throws SQLException;
    }

    public static PreparedStatement prepare(Connection c, String sql, Object... args) throws SQLException {
        PreparedStatement ps = c.prepareStatement(sql);
        bind(ps, args);
        return ps;
    }

    /** {@code ?, ?, ?} for an {@code in (...)} list of {@code n} values. */
    public static String placeholders(int n) {
        StringBuilder sb = new StringBuilder(n * 3);
        for (int i = 0; i < n; i++) {
            sb.append(i == 0 ? "?" : ", ?");
        }
        return sb.toString();
    }

    /**
     * A page of a list, looked up id first: the inner query picks the page's keys ({@code order by <order> offset ?
     * fetch next ?}) where an index holds them, so a deep page skips index entries, not rows; only the page's own
     * rows are read. The caller adds the offset and the limit to its arguments after the filter's.
     *
     * @param columns what to select of each row of the page
     * @param table   the table, keyed by {@code id}
     * @param where   the filter, {@code ""} or {@code " where ..."}
     * @param order   the page order, ending with {@code id} so it is total
     */
    public static String pageById(String columns, String table, String where, String order) {
        return "select " + columns + " from " + table + " where id in (select id from " + table + where + " order by "
                + order + " offset ? rows fetch next ? rows only) order by " + order;
    }

    /** One statement, many rows of arguments, sent as one JDBC batch; the update count of each row. */
    public static int[] batch(Connection c, String sql, List<Object[]> rows) throws SQLException {
        if (rows.isEmpty()) {
            return new int[0];
        }
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            for (Object[] row : rows) {
                bind(ps, row);
                ps.addBatch();
            }
            return ps.executeBatch();
        }
    }

    public static void bind(PreparedStatement ps, Object... args) throws SQLException {
        for (int i = 0; i < args.length; i++) {
            Object a = args[i];
            if (a == null) {
                ps.setNull(i + 1, Types.NULL);
            } else if (a instanceof Instant instant) {
                ps.setObject(i + 1, instant.atOffset(ZoneOffset.UTC));
            } else if (a instanceof Enum<?> e) {
                ps.setString(i + 1, e.name());
            } else {
                ps.setObject(i + 1, a);
            }
        }
    }

    public static int update(Connection c, String sql, Object... args) throws SQLException {
        try (PreparedStatement ps = prepare(c, sql, args)) {
            return ps.executeUpdate();
        }
    }

    public static <T> List<T> list(Connection c, String sql, RowMapper<T> mapper, Object... args) throws SQLException {
        try (PreparedStatement ps = prepare(c, sql, args); ResultSet rs = ps.executeQuery()) {
            List<T> out = new ArrayList<>();
            while (rs.next()) {
                out.add(mapper.map(rs));
            }
            return out;
        }
    }

    public static <T> T one(Connection c, String sql, RowMapper<T> mapper, Object... args) throws SQLException {
        List<T> rows = list(c, sql, mapper, args);
        return rows.isEmpty() ? null : rows.get(0);
    }

    public static long count(Connection c, String sql, Object... args) throws SQLException {
        Long n = one(c, sql, rs -> rs.getLong(1), args);
        return n == null ? 0 : n;
    }

    public static Instant instant(ResultSet rs, String column) throws SQLException {
        OffsetDateTime t = rs.getObject(column, OffsetDateTime.class);
        return t == null ? null : t.toInstant();
    }

    public static Instant instant(ResultSet rs, int column) throws SQLException {
        OffsetDateTime t = rs.getObject(column, OffsetDateTime.class);
        return t == null ? null : t.toInstant();
    }

    public static Timestamp ts(Instant i) {
        return i == null ? null : Timestamp.from(i);
    }

    /** True for a unique-key violation (SQLState 23505 on both H2 and PostgreSQL). */
    public static boolean isUniqueViolation(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLException s) {
                // a batch reports the failing row's error as its next exception
                for (SQLException n = s; n != null; n = n.getNextException()) {
                    if ("23505".equals(n.getSQLState())) {
                        return true;
                    }
                }
            }
        }
        return false;
    }
}
