package io.backfill.worker.persistence;

import java.sql.SQLException;

/** A statement of a store failed; the cause is the driver's {@link SQLException}. */
public class DatabaseException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  public DatabaseException(SQLException cause) {
    super(cause.getMessage(), cause);
  }
}
