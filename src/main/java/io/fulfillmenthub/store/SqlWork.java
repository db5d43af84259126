package io.fulfillmenthub.store;

import java.sql.Connection;
import java.sql.SQLException;

/** A unit of database work run inside one transaction by {@link Db}. */
@FunctionalInterface
public interface SqlWork<T> {
    T run(Connection connection) throws SQLException;
}
