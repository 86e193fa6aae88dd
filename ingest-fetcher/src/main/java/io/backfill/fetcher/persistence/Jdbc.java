package io.backfill.fetcher.persistence;

import jakarta.enterprise.context.ApplicationScoped;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import javax.sql.DataSource;

/**
 * Plain JDBC on the Agroal datasource for the stores: a connection per call, enlisted by Agroal in
 * the caller's transaction, statements bound by position. A failure is rethrown as {@link
 * DatabaseFailure} with the {@link SQLException} as its cause, so the SQL state stays readable.
 */
@ApplicationScoped
class Jdbc {

  /** Reads one row of a result. */
  @FunctionalInterface
  interface Row<T> {
    T read(ResultSet row) throws SQLException;
  }

  private final DataSource dataSource;

  Jdbc(DataSource dataSource) {
    this.dataSource = dataSource;
  }

  /** Runs an INSERT, UPDATE or DELETE; the number of rows it touched. */
  int update(String sql, Object... parameters) {
    try (Connection connection = dataSource.getConnection();
        PreparedStatement statement = connection.prepareStatement(sql)) {
      bind(connection, statement, parameters);
      return statement.executeUpdate();
    } catch (SQLException e) {
      throw new DatabaseFailure(sql, e);
    }
  }

  /** Runs a query (or a statement with RETURNING); every row, read by {@code row}. */
  <T> List<T> list(String sql, Row<T> row, Object... parameters) {
    try (Connection connection = dataSource.getConnection();
        PreparedStatement statement = connection.prepareStatement(sql)) {
      bind(connection, statement, parameters);
      try (ResultSet rows = statement.executeQuery()) {
        List<T> result = new ArrayList<>();
        while (rows.next()) {
          result.add(row.read(rows));
        }
        return result;
      }
    } catch (SQLException e) {
      throw new DatabaseFailure(sql, e);
    }
  }

  /** The first row of a query, if any. */
  <T> Optional<T> first(String sql, Row<T> row, Object... parameters) {
    return list(sql, row, parameters).stream().findFirst();
  }

  /** A collection binds as an array (for {@code = ANY(?)}): of uuid if its first element is one. */
  private static void bind(Connection connection, PreparedStatement statement, Object[] parameters)
      throws SQLException {
    for (int i = 0; i < parameters.length; i++) {
      Object value = parameters[i];
      if (value instanceof Instant instant) {
        statement.setObject(i + 1, OffsetDateTime.ofInstant(instant, ZoneOffset.UTC));
      } else if (value instanceof Collection<?> values) {
        String type =
            !values.isEmpty() && values.iterator().next() instanceof UUID ? "uuid" : "text";
        statement.setArray(i + 1, connection.createArrayOf(type, values.toArray()));
      } else {
        statement.setObject(i + 1, value);
      }
    }
  }

  /** A nullable integer column. */
  static Integer integer(ResultSet row, int column) throws SQLException {
    int value = row.getInt(column);
    return row.wasNull() ? null : value;
  }

  /** A nullable timestamptz column. */
  static Instant instant(ResultSet row, int column) throws SQLException {
    Timestamp value = row.getTimestamp(column);
    return value == null ? null : value.toInstant();
  }
}
