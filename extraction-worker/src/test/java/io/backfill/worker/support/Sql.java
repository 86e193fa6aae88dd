package io.backfill.worker.support;

import io.backfill.worker.persistence.Jdbc;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;

/** Statements tests run on the worker's database through the service's own {@link Jdbc}. */
public final class Sql {

  private Sql() {}

  /** Runs an update with its parameters bound by position; returns the rows it changed. */
  public static int update(Jdbc jdbc, String sql, Object... parameters) {
    return jdbc.call(
        connection -> {
          try (PreparedStatement statement = connection.prepareStatement(sql)) {
            bind(statement, parameters);
            return statement.executeUpdate();
          }
        });
  }

  /** The first column of every row the query returns. */
  public static List<Object> column(Jdbc jdbc, String sql, Object... parameters) {
    return jdbc.call(
        connection -> {
          try (PreparedStatement statement = connection.prepareStatement(sql)) {
            bind(statement, parameters);
            List<Object> values = new ArrayList<>();
            try (ResultSet rs = statement.executeQuery()) {
              while (rs.next()) {
                values.add(rs.getObject(1));
              }
            }
            return values;
          }
        });
  }

  /** A query's single number, such as a count. */
  public static long number(Jdbc jdbc, String sql, Object... parameters) {
    return ((Number) column(jdbc, sql, parameters).get(0)).longValue();
  }

  private static void bind(PreparedStatement statement, Object[] parameters)
      throws java.sql.SQLException {
    for (int i = 0; i < parameters.length; i++) {
      statement.setObject(i + 1, parameters[i]);
    }
  }
}
