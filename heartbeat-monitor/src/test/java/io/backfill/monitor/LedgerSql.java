package io.backfill.monitor;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.UUID;
import javax.sql.DataSource;

/**
 * Reads the monitor's tables directly, as a test checks them: each query on its own connection (its
 * own transaction), parameters bound by position; a {@code String[]} is sent as a text array (for
 * {@code = ANY (?)}).
 */
final class LedgerSql {

  private final DataSource dataSource;

  LedgerSql(DataSource dataSource) {
    this.dataSource = dataSource;
  }

  /** The first column of the first row; null when the query returned no row. */
  Object value(String sql, Object... parameters) {
    try (Connection connection = dataSource.getConnection();
        PreparedStatement statement = connection.prepareStatement(sql)) {
      for (int i = 0; i < parameters.length; i++) {
        if (parameters[i] instanceof String[] texts) {
          statement.setArray(i + 1, connection.createArrayOf("text", texts));
        } else {
          statement.setObject(i + 1, parameters[i]);
        }
      }
      try (ResultSet rows = statement.executeQuery()) {
        return rows.next() ? rows.getObject(1) : null;
      }
    } catch (SQLException e) {
      throw new IllegalStateException("test query failed: " + sql, e);
    }
  }

  /** The first column of the first row as text; null when there is no row or it is null. */
  String text(String sql, Object... parameters) {
    Object value = value(sql, parameters);
    return value == null ? null : value.toString();
  }

  /** A count (or any number) the query returns in its first column. */
  long number(String sql, Object... parameters) {
    return ((Number) value(sql, parameters)).longValue();
  }

  /** The lifecycle state of a job; null when the monitor never heard of it. */
  String lifecycle(UUID job) {
    return text("SELECT state FROM job_lifecycle WHERE job_id = ?", job);
  }
}
