package io.backfill.fetcher.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.backfill.testkit.Postgres;
import io.backfill.testkit.TestDatabase;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Bounded retry against real PostgreSQL failures: a session the server terminates (what a database
 * restart or failover does to a pooled connection) is retried on a new connection; a bad statement
 * is not retried.
 */
class TransientRetryTest {

  private static TestDatabase database;
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final TransientRetry retry = new TransientRetry(3, Duration.ofMillis(10), registry);

  @BeforeAll
  static void createDatabase() {
    database = Postgres.instance().createDatabase("fretry");
  }

  @AfterAll
  static void dropDatabase() {
    database.drop();
  }

  @Test
  void statementOnATerminatedSessionIsRetriedOnANewConnection() {
    AtomicInteger tries = new AtomicInteger();

    int answer =
        retry.call(
            "intake",
            "test",
            () -> {
              try (Connection connection = connect()) {
                if (tries.incrementAndGet() == 1) {
                  terminate(connection);
                }
                return selectOne(connection);
              } catch (SQLException e) {
                throw new IllegalStateException("database call failed", e);
              }
            });

    assertThat(answer).isEqualTo(1);
    assertThat(tries.get()).isEqualTo(2);
    assertThat(
            registry
                .counter("backfill_fetcher_transient_retries_total", "operation", "intake")
                .count())
        .isEqualTo(1);
  }

  @Test
  void sessionTerminatedEveryTimeFailsAfterTheBoundedRetries() {
    AtomicInteger tries = new AtomicInteger();

    assertThatThrownBy(
            () ->
                retry.call(
                    "command",
                    "test",
                    () -> {
                      tries.incrementAndGet();
                      try (Connection connection = connect()) {
                        terminate(connection);
                        return selectOne(connection);
                      } catch (SQLException e) {
                        throw new IllegalStateException("database call failed", e);
                      }
                    }))
        .hasCauseInstanceOf(SQLException.class);
    assertThat(tries.get()).isEqualTo(4);
  }

  @Test
  void badStatementIsNotRetried() {
    AtomicInteger tries = new AtomicInteger();

    assertThatThrownBy(
            () ->
                retry.call(
                    "intake",
                    "test",
                    () -> {
                      tries.incrementAndGet();
                      try (Connection connection = connect();
                          PreparedStatement bad = connection.prepareStatement("SELEC 1")) {
                        bad.executeQuery();
                        return 0;
                      } catch (SQLException e) {
                        throw new IllegalStateException("database call failed", e);
                      }
                    }))
        .isInstanceOf(IllegalStateException.class);
    assertThat(tries.get()).isEqualTo(1);
  }

  private static Connection connect() throws SQLException {
    return DriverManager.getConnection(
        database.jdbcUrl(), database.username(), database.password());
  }

  /** Ends the connection's session from another one, as a server restart would. */
  private static void terminate(Connection victim) throws SQLException {
    int pid;
    try (PreparedStatement query = victim.prepareStatement("SELECT pg_backend_pid()");
        ResultSet rows = query.executeQuery()) {
      rows.next();
      pid = rows.getInt(1);
    }
    try (Connection admin = connect();
        PreparedStatement kill = admin.prepareStatement("SELECT pg_terminate_backend(?, 10000)")) {
      kill.setInt(1, pid);
      kill.executeQuery().close();
    }
  }

  private static int selectOne(Connection connection) throws SQLException {
    try (PreparedStatement query = connection.prepareStatement("SELECT 1");
        ResultSet rows = query.executeQuery()) {
      rows.next();
      return rows.getInt(1);
    }
  }
}
