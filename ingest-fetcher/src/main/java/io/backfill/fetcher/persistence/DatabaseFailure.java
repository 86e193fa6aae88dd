package io.backfill.fetcher.persistence;

import java.sql.SQLException;

/**
 * A statement of a store failed; the cause is the driver's {@link SQLException}, whose SQL state
 * tells a transient failure (lost connection, serialization failure, deadlock) from a lasting one.
 */
public class DatabaseFailure extends RuntimeException {

  private static final long serialVersionUID = 1L;

  DatabaseFailure(String sql, SQLException cause) {
    super(
        "statement failed ("
            + cause.getSQLState()
            + "): "
            + cause.getMessage()
            + " in: "
            + sql.strip().lines().findFirst().orElse(""),
        cause);
  }
}
