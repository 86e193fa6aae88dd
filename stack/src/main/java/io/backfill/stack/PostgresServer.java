package io.backfill.stack;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

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
  private final Path embeddedDataDir;

  /**
   * Set to {@code true} (system property or environment variable) to let a test restart the
   * machine's own PostgreSQL: other programs on the machine may be using it, so only the owner of
   * the machine (CI) says so. An embedded server is the stack's own and may always be restarted.
   */
  public static final String RESTART_ALLOWED = "BACKFILL_PG_RESTART_ALLOWED";

  private static final Duration RESTART_TIMEOUT = Duration.ofSeconds(90);

  private PostgresServer(
      String host,
      int port,
      String username,
      String password,
      EmbeddedPostgres embedded,
      Path embeddedDataDir) {
    this.host = host;
    this.port = port;
    this.username = username;
    this.password = password;
    this.embedded = embedded;
    this.embeddedDataDir = embeddedDataDir;
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
    PostgresServer machine = new PostgresServer(host, port, user, password, null, null);
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
      return new PostgresServer(
          "127.0.0.1", server.getPort(), "postgres", "", server, embeddedDataDir);
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
    if (databaseExists(name)) {
      return;
    }
    try (Connection connection = adminConnection();
        Statement create = connection.createStatement()) {
      create.execute("CREATE DATABASE \"" + name + "\"");
    } catch (SQLException e) {
      throw new StackStartException(
          "postgresql", "cannot create database " + name + " on " + this + ": " + e, null, e);
    }
  }

  /** Whether a database of that name exists on this server. */
  public boolean databaseExists(String name) {
    try (Connection connection = adminConnection();
        var exists = connection.prepareStatement("SELECT 1 FROM pg_database WHERE datname = ?")) {
      exists.setString(1, name);
      try (var result = exists.executeQuery()) {
        return result.next();
      }
    } catch (SQLException e) {
      throw new IllegalStateException("Cannot look up database " + name + " on " + this, e);
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

  /** A connection to the maintenance database {@code postgres}, as the configured user. */
  public Connection adminConnection() throws SQLException {
    return connect("postgres");
  }

  /**
   * Why this server may not be restarted by {@link #restart()}, or empty when it may: an embedded
   * server always may; the machine's only when {@value #RESTART_ALLOWED} is {@code true}, this
   * process runs as root (as CI does), the server is on a loopback address and a Debian cluster
   * ({@code pg_lsclusters}) is online on its port.
   */
  public Optional<String> restartRefusal() {
    if (embedded()) {
      return Optional.empty();
    }
    if (!"true".equalsIgnoreCase(setting(RESTART_ALLOWED, "false"))) {
      return Optional.of(
          "the machine's PostgreSQL may be in use by other programs; set "
              + RESTART_ALLOWED
              + "=true where a test may restart it (CI does)");
    }
    if (!"root".equals(System.getProperty("user.name"))) {
      return Optional.of("restarting the machine's PostgreSQL needs root (pg_ctlcluster)");
    }
    if (!host.equals("127.0.0.1") && !host.equals("localhost")) {
      return Optional.of("PostgreSQL at " + host + " is not this machine's");
    }
    return debianCluster().isPresent()
        ? Optional.empty()
        : Optional.of("no online pg_lsclusters cluster on port " + port);
  }

  /**
   * Restarts the server (fast shutdown: every session is ended, as in a crash or a failover) and
   * waits until it accepts connections again; throws when {@link #restartRefusal()} names a reason.
   */
  public void restart() {
    restartRefusal()
        .ifPresent(
            reason -> {
              throw new IllegalStateException("Will not restart " + this + ": " + reason);
            });
    List<String> command = new ArrayList<>();
    if (embedded()) {
      // The embedded server's pg_ctl sits beside its running postgres binary; pg_ctl restart
      // starts it again with the options it was started with (postmaster.opts).
      Path pgCtl = embeddedBinary().resolveSibling("pg_ctl");
      command.addAll(
          List.of(
              pgCtl.toString(),
              "-D",
              embeddedDataDir.toString(),
              "-w",
              "-t",
              String.valueOf(RESTART_TIMEOUT.toSeconds()),
              "-m",
              "fast",
              "restart"));
    } else {
      String[] cluster = debianCluster().orElseThrow();
      command.addAll(
          List.of(
              "pg_ctlcluster",
              "--skip-systemctl-redirect",
              cluster[0],
              cluster[1],
              "restart",
              "-m",
              "fast"));
    }
    String output = run(command, RESTART_TIMEOUT);
    LOG.log(Level.INFO, "Restarted {0}: {1}", this, output.strip());
    long deadline = System.nanoTime() + RESTART_TIMEOUT.toNanos();
    SQLException last = null;
    while (System.nanoTime() < deadline) {
      try (Connection connection = adminConnection()) {
        if (connection.isValid(1)) {
          return;
        }
      } catch (SQLException e) {
        // Still starting up (57P03) or not listening yet.
        last = e;
      }
      java.util.concurrent.locks.LockSupport.parkNanos(Duration.ofMillis(200).toNanos());
    }
    throw new IllegalStateException(this + " not accepting connections after its restart", last);
  }

  // {version, cluster} of the Debian cluster online on this server's port.
  private Optional<String[]> debianCluster() {
    String listing;
    try {
      listing = run(List.of("pg_lsclusters", "--no-header"), Duration.ofSeconds(10));
    } catch (IllegalStateException e) {
      LOG.log(Level.INFO, "pg_lsclusters not usable: {0}", e.getMessage());
      return Optional.empty();
    }
    for (String line : listing.split("\n")) {
      String[] fields = line.trim().split("\\s+");
      if (fields.length >= 4
          && fields[2].equals(String.valueOf(port))
          && fields[3].equals("online")) {
        return Optional.of(new String[] {fields[0], fields[1]});
      }
    }
    return Optional.empty();
  }

  private Path embeddedBinary() {
    String dataDir = embeddedDataDir.toString();
    return ProcessHandle.allProcesses()
        .filter(
            p ->
                p.info().command().map(c -> c.endsWith("/postgres")).orElse(false)
                    && p.info()
                        .arguments()
                        .map(a -> String.join(" ", a).contains(dataDir))
                        .orElse(false))
        .map(p -> Path.of(p.info().command().orElseThrow()))
        .findFirst()
        .orElseThrow(() -> new IllegalStateException("No running postgres process for " + dataDir));
  }

  private static String run(List<String> command, Duration timeout) {
    try {
      Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
      if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        process.destroyForcibly();
        throw new IllegalStateException(String.join(" ", command) + " took over " + timeout);
      }
      String output = new String(process.getInputStream().readAllBytes());
      if (process.exitValue() != 0) {
        throw new IllegalStateException(
            String.join(" ", command) + " exited " + process.exitValue() + ": " + output);
      }
      return output;
    } catch (java.io.IOException e) {
      throw new IllegalStateException("Cannot run " + String.join(" ", command) + ": " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted running " + String.join(" ", command), e);
    }
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
