package io.backfill.monitor.persistence;

import jakarta.enterprise.context.ApplicationScoped;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import javax.sql.DataSource;

/**
 * Runs one statement on a connection of the datasource, parameters bound by position. Inside a
 * transaction the connection is enlisted in it (the caller owns the transaction); outside one it
 * commits on its own. Array parameters ({@code UUID[]}, {@code Long[]}, {@code String[]}) are sent
 * as SQL arrays of uuid, bigint and text.
 */
@ApplicationScoped
public class Jdbc {

  /** Maps the current row of a result set. */
  @FunctionalInterface
  public interface RowMapper<T> {
    T map(ResultSet row) throws SQLException;
  }

  private final DataSource dataSource;

  Jdbc(DataSource dataSource) {
    this.dataSource = dataSource;
  }

  /** Runs an INSERT, UPDATE or DELETE; returns the rows it changed. */
  public int update(String sql, Object... parameters) {
    try (Connection connection = dataSource.getConnection();
        PreparedStatement statement = prepare(connection, sql, parameters)) {
      return statement.executeUpdate();
    } catch (SQLException e) {
      throw new StoreFailure(sql, e);
    }
  }

  /** Runs a query (or a statement with RETURNING); returns its rows mapped in order. */
  public <T> List<T> list(String sql, RowMapper<T> mapper, Object... parameters) {
    try (Connection connection = dataSource.getConnection();
        PreparedStatement statement = prepare(connection, sql, parameters);
        ResultSet rows = statement.executeQuery()) {
      List<T> mapped = new ArrayList<>();
      while (rows.next()) {
        mapped.add(mapper.map(rows));
      }
      return mapped;
    } catch (SQLException e) {
      throw new StoreFailure(sql, e);
    }
  }

  /** The first row of a query, mapped; empty when it returned none. */
  public <T> Optional<T> first(String sql, RowMapper<T> mapper, Object... parameters) {
    return list(sql, mapper, parameters).stream().findFirst();
  }

  /** The first row of a query that always returns one, mapped. */
  public <T> T single(String sql, RowMapper<T> mapper, Object... parameters) {
    return first(sql, mapper, parameters)
        .orElseThrow(() -> new IllegalStateException("no row returned by: " + sql));
  }

  private static PreparedStatement prepare(Connection connection, String sql, Object[] parameters)
      throws SQLException {
    PreparedStatement statement = connection.prepareStatement(sql);
    try {
      for (int i = 0; i < parameters.length; i++) {
        Object value = parameters[i];
        if (value instanceof UUID[] uuids) {
          statement.setArray(i + 1, connection.createArrayOf("uuid", uuids));
        } else if (value instanceof Long[] longs) {
          statement.setArray(i + 1, connection.createArrayOf("bigint", longs));
        } else if (value instanceof String[] texts) {
          statement.setArray(i + 1, connection.createArrayOf("text", texts));
        } else {
          statement.setObject(i + 1, value);
        }
      }
      return statement;
    } catch (SQLException | RuntimeException e) {
      statement.close();
      throw e;
    }
  }

  /** A nullable integer column. */
  public static Integer nullableInt(ResultSet row, String column) throws SQLException {
    int value = row.getInt(column);
    return row.wasNull() ? null : value;
  }

  /** A nullable bigint column. */
  public static Long nullableLong(ResultSet row, String column) throws SQLException {
    long value = row.getLong(column);
    return row.wasNull() ? null : value;
  }
}
