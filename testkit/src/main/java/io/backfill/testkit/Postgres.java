package io.backfill.testkit;

import io.backfill.stack.PostgresServer;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.HexFormat;
import java.util.Locale;

/**
 * The PostgreSQL server tests create their databases in: the stack's {@link PostgresServer} — the
 * machine's own when reachable, else an embedded real PostgreSQL started once per JVM and stopped
 * when the JVM exits.
 *
 * <p>Connection settings come from system properties or environment variables {@code
 * BACKFILL_PG_HOST} (127.0.0.1), {@code BACKFILL_PG_PORT} (5432), {@code BACKFILL_PG_USER}
 * (postgres) and {@code BACKFILL_PG_PASSWORD} (empty).
 */
public final class Postgres {

  private static final SecureRandom RANDOM = new SecureRandom();
  // PostgreSQL truncates identifiers longer than this.
  private static final int MAX_IDENTIFIER_LENGTH = 63;

  private static Postgres instance;

  private final PostgresServer server;

  private Postgres(PostgresServer server) {
    this.server = server;
  }

  /** The server for this JVM, chosen (and, if embedded, started) on first call. */
  public static synchronized Postgres instance() {
    if (instance == null) {
      PostgresServer server = PostgresServer.locate(DataDirectory.create("backfill-postgres-"));
      if (server.embedded()) {
        Runtime.getRuntime()
            .addShutdownHook(new Thread(server::close, "backfill-embedded-postgres-shutdown"));
      }
      instance = new Postgres(server);
    }
    return instance;
  }

  /** True when the server is an embedded PostgreSQL started by this JVM. */
  public boolean embedded() {
    return server.embedded();
  }

  /** Creates a fresh, empty database named {@code <prefix>_<8 random hex digits>}. */
  public TestDatabase createDatabase(String prefix) {
    String name = databaseName(prefix);
    server.createDatabase(name);
    return new TestDatabase(this, name, server.jdbcUrl(name), server.username(), server.password());
  }

  /** Whether a database of that name exists on this server. */
  public boolean databaseExists(String name) {
    return server.databaseExists(name);
  }

  void dropDatabase(String name) {
    server.dropDatabase(name);
  }

  /** A connection to the maintenance database {@code postgres}, as the configured user. */
  public Connection adminConnection() throws SQLException {
    return server.adminConnection();
  }

  String jdbcUrl(String database) {
    return server.jdbcUrl(database);
  }

  @Override
  public String toString() {
    return server.toString();
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
}
