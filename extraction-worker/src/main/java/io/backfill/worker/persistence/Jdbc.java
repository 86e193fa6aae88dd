package io.backfill.worker.persistence;

import jakarta.inject.Singleton;
import java.sql.Connection;
import java.sql.SQLException;
import javax.sql.DataSource;

/**
 * Runs the stores' statements on a connection of the Agroal datasource, opened per call and closed
 * after it. Inside a transaction Agroal enlists the connection and hands every call of that
 * transaction the same one, so the caller owns the transaction. A failing statement surfaces as a
 * {@link DatabaseException} whose cause is the {@link SQLException} with its SQL state.
 */
@Singleton
public class Jdbc {

  /** Statements run on one connection. */
  @FunctionalInterface
  public interface Work {
    void run(Connection connection) throws SQLException;
  }

  /** Statements run on one connection, with what they read. */
  @FunctionalInterface
  public interface ReturningWork<T> {
    T run(Connection connection) throws SQLException;
  }

  private final DataSource dataSource;

  Jdbc(DataSource dataSource) {
    this.dataSource = dataSource;
  }

  public void run(Work work) {
    call(
        connection -> {
          work.run(connection);
          return null;
        });
  }

  public <T> T call(ReturningWork<T> work) {
    try (Connection connection = dataSource.getConnection()) {
      return work.run(connection);
    } catch (SQLException e) {
      throw new DatabaseException(e);
    }
  }
}
