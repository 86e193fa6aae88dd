package io.backfill.stack;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;

/**
 * The PostgreSQL server the stack's services use: the machine's own when it answers, else an
 * embedded real PostgreSQL (zonky) that this object starts and stops.
 *
 * <p>Connection settings come from system properties or environment variables {@code
 * BACKFILL_PG_HOST} (127.0.0.1), {@code BACKFILL_PG_PORT} (5432), {@code BACKFILL_PG_USER}
 * (postgres) and {@code BACKFILL_PG_PASSWORD} (empty), as in testkit.
 */
public final class PostgresServer implements AutoCloseable {

  private static final System.Logger LOG = System.getLogger(PostgresServer.class.getName());
  private static final int CONNECT_TIMEOUT_SECONDS = 3;

  private final String host;
  private final int port;
  private final String username;
  private final String password;
  private final EmbeddedPostgres embedded;

  private PostgresServer(
      String host, int port, String username, String password, EmbeddedPostgres embedded) {
    this.host = host;
    this.port = port;
    this.username = username;
    this.password = password;
    this.embedded = embedded;
  }

  /**
   * The machine's server if it answers within 3 s, else an embedded one with its data under {@code
   * embeddedDataDir}.
   */
  public static PostgresServer locate(Path embeddedDataDir) {
    String host = setting("BACKFILL_PG_HOST", "127.0.0.1");
    int port = Integer.parseInt(setting("BACKFILL_PG_PORT", "5432"));
    String user = setting("BACKFILL_PG_USER", "postgres");
    String password = setting("BACKFILL_PG_PASSWORD", "");
    PostgresServer machine = new PostgresServer(host, port, user, password, null);
    try (Connection connection = machine.adminConnection()) {
      LOG.log(
          Level.INFO,
          "Using {0} ({1})",
          machine,
          connection.getMetaData().getDatabaseProductVersion());
      return machine;
    } catch (SQLException e) {
      LOG.log(
          Level.INFO,
          "PostgreSQL at {0}:{1} not usable ({2}); starting an embedded one",
          host,
          String.valueOf(port),
          e.getMessage());
    }
    try {
      EmbeddedPostgres server =
          EmbeddedPostgres.builder()
              .setDataDirectory(Directories.create(embeddedDataDir))
              .setCleanDataDirectory(true)
              .start();
      return new PostgresServer("127.0.0.1", server.getPort(), "postgres", "", server);
    } catch (IOException | RuntimeException e) {
      throw new StackStartException(
          "postgresql",
          "no PostgreSQL at "
              + host
              + ":"
              + port
              + " and the embedded one failed to start ("
              + e.getMessage()
              + ")",
          null,
          e);
    }
  }

  public boolean embedded() {
    return embedded != null;
  }

  public String username() {
    return username;
  }

  public String password() {
    return password;
  }

  public String jdbcUrl(String database) {
    return "jdbc:postgresql://" + host + ":" + port + "/" + database;
  }

  /** Creates the database unless it exists. */
  public void createDatabase(String name) {
    try (Connection connection = adminConnection();
        var exists = connection.prepareStatement("SELECT 1 FROM pg_database WHERE datname = ?")) {
      exists.setString(1, name);
      try (var result = exists.executeQuery()) {
        if (result.next()) {
          return;
        }
      }
      try (Statement create = connection.createStatement()) {
        create.execute("CREATE DATABASE \"" + name + "\"");
      }
    } catch (SQLException e) {
      throw new StackStartException(
          "postgresql", "cannot create database " + name + " on " + this + ": " + e, null, e);
    }
  }

  /** Ends every session on the database, then drops it. */
  public void dropDatabase(String name) {
    try (Connection connection = adminConnection()) {
      try (var terminate =
          connection.prepareStatement(
              "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                  + " WHERE datname = ? AND pid <> pg_backend_pid()")) {
        terminate.setString(1, name);
        terminate.execute();
      }
      try (Statement drop = connection.createStatement()) {
        drop.execute("DROP DATABASE IF EXISTS \"" + name + "\"");
      }
    } catch (SQLException e) {
      throw new IllegalStateException("Cannot drop database " + name + " on " + this, e);
    }
  }

  /** A connection to a database of this server (the caller closes it). */
  public Connection connect(String database) throws SQLException {
    Properties props = new Properties();
    props.setProperty("user", username);
    if (!password.isEmpty()) {
      props.setProperty("password", password);
    }
    props.setProperty("connectTimeout", String.valueOf(CONNECT_TIMEOUT_SECONDS));
    props.setProperty("loginTimeout", String.valueOf(CONNECT_TIMEOUT_SECONDS));
    props.setProperty("socketTimeout", "60");
    return DriverManager.getConnection(jdbcUrl(database), props);
  }

  private Connection adminConnection() throws SQLException {
    return connect("postgres");
  }

  /** Stops the embedded server, if this object started one. */
  @Override
  public void close() {
    if (embedded == null) {
      return;
    }
    try {
      embedded.close();
    } catch (IOException e) {
      LOG.log(Level.WARNING, "Cannot stop the embedded PostgreSQL at port " + port, e);
    }
  }

  @Override
  public String toString() {
    return (embedded() ? "embedded " : "") + "PostgreSQL at " + host + ":" + port;
  }

  private static String setting(String name, String defaultValue) {
    String value = System.getProperty(name);
    if (value == null) {
      value = System.getenv(name);
    }
    return value == null ? defaultValue : value;
  }
}
