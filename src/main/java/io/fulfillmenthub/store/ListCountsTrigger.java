package io.fulfillmenthub.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Locale;
import java.util.Objects;

import org.h2.api.Trigger;

/**
 * H2's half of the list counts (db/migration/h2/V8__list_counts.sql): for every row inserted, updated or deleted in
 * {@code clusters} or {@code hosts}, appends the change of its (tenant, state) or (host_class, state) count to
 * {@code list_counts} in the writer's transaction. PostgreSQL does the same with statement triggers.
 */
public class ListCountsTrigger implements Trigger {

    private String table;
    private int k1;
    private int k2;

    @Override
    public void init(Connection conn, String schemaName, String triggerName, String tableName, boolean before, int type)
            throws SQLException {
        table = tableName.toLowerCase(Locale.ROOT);
        String k1Column = switch (table) {
            case "clusters" -> "tenant";
            case "hosts" -> "host_class";
            default -> throw new SQLException("no list counts for table " + tableName);
        };
        k1 = -1;
        k2 = -1;
        try (ResultSet rs = conn.getMetaData().getColumns(null, schemaName, tableName, null)) {
            while (rs.next()) {
                String name = rs.getString("COLUMN_NAME").toLowerCase(Locale.ROOT);
                int index = rs.getInt("ORDINAL_POSITION") - 1;
                if (name.equals(k1Column)) {
                    k1 = index;
                } else if (name.equals("state")) {
                    k2 = index;
                }
            }
        }
        if (k1 < 0 || k2 < 0) {
            throw new SQLException("table " + tableName + " lacks " + k1Column + " or state");
        }
    }

    @Override
    public void fire(Connection conn, Object[] oldRow, Object[] newRow) throws SQLException {
        if (oldRow != null && newRow != null && Objects.equals(oldRow[k1], newRow[k1])
                && Objects.equals(oldRow[k2], newRow[k2])) {
            return;
        }
        if (oldRow != null) {
            add(conn, oldRow, -1);
        }
        if (newRow != null) {
            add(conn, newRow, 1);
        }
    }

    private void add(Connection conn, Object[] row, long n) throws SQLException {
        try (PreparedStatement ps = conn.prepareStatement("insert into list_counts (tbl, k1, k2, n) values (?, ?, ?, ?)")) {
            ps.setString(1, table);
            ps.setString(2, String.valueOf(row[k1]));
            ps.setString(3, String.valueOf(row[k2]));
            ps.setLong(4, n);
            ps.executeUpdate();
        }
    }
}
