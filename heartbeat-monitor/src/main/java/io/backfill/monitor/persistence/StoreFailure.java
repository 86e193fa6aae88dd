package io.backfill.monitor.persistence;

import java.sql.SQLException;

/**
 * A statement the database refused. The {@link SQLException} stays the cause, so callers classify
 * the failure by its SQL state (transient or not).
 */
public class StoreFailure extends RuntimeException {

  private static final long serialVersionUID = 1L;

  public StoreFailure(String sql, SQLException cause) {
    super(
        "statement failed (SQL state "
            + cause.getSQLState()
            + "): "
            + cause.getMessage()
            + " — "
            + firstLine(sql),
        cause);
  }

  private static String firstLine(String sql) {
    String trimmed = sql.strip();
    int end = trimmed.indexOf('\n');
    return end < 0 ? trimmed : trimmed.substring(0, end) + " …";
  }
}
