package io.backfill.stack;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.common.Uuid;

/**
 * A real Apache Kafka broker (KRaft, combined broker and controller) in a child JVM started from
 * this JVM's classpath, with its data in a directory the caller chooses.
 *
 * <p>Ports and data stay the same for the broker's whole life, so {@link #kill()} then {@link
 * #start()} is a crashed broker coming back with every record it had.
 */
public final class KafkaBrokerProcess {

  private static final System.Logger LOG = System.getLogger(KafkaBrokerProcess.class.getName());
  private static final Duration STOP_TIMEOUT = Duration.ofSeconds(30);
  private static final Duration FORMAT_TIMEOUT = Duration.ofSeconds(90);
  private static final List<String> JVM_OPTIONS =
      List.of("-Xmx512m", "-XX:+UseSerialGC", "-Xss1m", "-XX:TieredStopAtLevel=1");

  private final int port;
  private final int controllerPort;
  private final SaslPlain sasl;
  private final int saslPort;
  private final Path dataDir;
  private final Path log;
  private final Duration readyTimeout;
  private Process process;
  private boolean formatted;

  /**
   * @param dataDir server.properties, the log dirs and the console output go here
   * @param log the broker's own log (SLF4J), e.g. {@code .backfill/logs/kafka.log}
   */
  public KafkaBrokerProcess(Path dataDir, Path log, Duration readyTimeout) {
    this(dataDir, log, readyTimeout, null);
  }

  /**
   * A broker that also has a SASL_PLAINTEXT listener (PLAIN mechanism, one user) beside the
   * plaintext one; the controller and inter-broker listeners stay plaintext.
   *
   * @param sasl the one user the SASL listener accepts, or null for no SASL listener
   */
  public KafkaBrokerProcess(Path dataDir, Path log, Duration readyTimeout, SaslPlain sasl) {
    this.port = Ports.pickFree();
    int candidate = Ports.pickFree();
    while (candidate == port) {
      candidate = Ports.pickFree();
    }
    this.controllerPort = candidate;
    this.sasl = sasl;
    if (sasl != null) {
      candidate = Ports.pickFree();
      while (candidate == port || candidate == controllerPort) {
        candidate = Ports.pickFree();
      }
      this.saslPort = candidate;
    } else {
      this.saslPort = -1;
    }
    this.dataDir = Directories.create(dataDir);
    this.log = log;
    this.readyTimeout = readyTimeout;
  }

  /** The user and password a SASL_PLAINTEXT listener with the PLAIN mechanism accepts. */
  public record SaslPlain(String user, String password) {}

  /** The plaintext listener, which every broker has. */
  public String bootstrapServers() {
    return "127.0.0.1:" + port;
  }

  /** The SASL_PLAINTEXT listener; only a broker made with a {@link SaslPlain} user has one. */
  public String saslBootstrapServers() {
    if (sasl == null) {
      throw new IllegalStateException("this broker has no SASL listener: " + this);
    }
    return "127.0.0.1:" + saslPort;
  }

  public Path log() {
    return log;
  }

  public Path dataDir() {
    return dataDir;
  }

  /** The broker process id, or -1 when it is not running. */
  public synchronized long pid() {
    return isRunning() ? process.pid() : -1;
  }

  public synchronized boolean isRunning() {
    return process != null && process.isAlive();
  }

  /** Starts the broker (formatting storage on first start) and waits until it serves metadata. */
  public synchronized void start() {
    if (isRunning()) {
      return;
    }
    long started = System.nanoTime();
    writeConfiguration();
    if (!formatted) {
      format();
      formatted = true;
    }
    process = launch(List.of("kafka.Kafka", dataDir.resolve("server.properties").toString()));
    awaitReady();
    LOG.log(
        Level.INFO,
        "Kafka broker ready at {0} in {1} ms (data {2})",
        bootstrapServers(),
        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started),
        dataDir);
  }

  /** Graceful stop (SIGTERM), forcibly after 30 s; data and ports are kept. */
  public synchronized void stop() {
    if (process == null) {
      return;
    }
    process.destroy();
    try {
      if (!process.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
        LOG.log(Level.WARNING, "Kafka broker did not stop within {0}, killing it", STOP_TIMEOUT);
        process.destroyForcibly().waitFor();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    }
    process = null;
  }

  /** Abrupt death (SIGKILL), as a crashed broker; data and ports are kept. */
  public synchronized void kill() {
    if (process == null) {
      return;
    }
    try {
      process.destroyForcibly().waitFor();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted while killing the Kafka broker", e);
    }
    process = null;
  }

  /** Stop and start again on the same ports and data. */
  public synchronized void restart() {
    stop();
    start();
  }

  private Path consoleOut() {
    return dataDir.resolve("broker.out");
  }

  private void writeConfiguration() {
    Map<String, String> server =
        BrokerProperties.combinedMode(port, controllerPort, dataDir.resolve("logs"));
    if (sasl != null) {
      server =
          BrokerProperties.withSaslPlainListener(server, saslPort, sasl.user(), sasl.password());
    }
    String properties =
        server.entrySet().stream()
            .map(e -> e.getKey() + "=" + e.getValue())
            .collect(Collectors.joining("\n", "", "\n"));
    // Anything logging straight to log4j (not through SLF4J) goes to broker.out.
    String log4j =
        String.join(
            "\n",
            "status = warn",
            "appender.out.type = Console",
            "appender.out.name = OUT",
            "appender.out.layout.type = PatternLayout",
            "appender.out.layout.pattern = %d{HH:mm:ss.SSS} %-5p [%c] %m%n",
            "rootLogger.level = warn",
            "rootLogger.appenderRef.out.ref = OUT",
            "");
    try {
      Files.createDirectories(log.toAbsolutePath().getParent());
      Files.writeString(dataDir.resolve("server.properties"), properties, StandardCharsets.UTF_8);
      Files.writeString(dataDir.resolve("log4j2.properties"), log4j, StandardCharsets.UTF_8);
      Files.writeString(dataDir.resolve("jvm.args"), classpathArgument(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot write the broker configuration in " + dataDir, e);
    }
  }

  // An argument file, because a long classpath can exceed the kernel's limit for one argument.
  private static String classpathArgument() {
    String classpath = String.join(File.pathSeparator, ChildClasspath.ofCurrentJvm());
    return "-cp \"" + classpath.replace("\\", "\\\\").replace("\"", "\\\"") + "\"\n";
  }

  private void format() {
    Process format =
        launch(
            List.of(
                "kafka.tools.StorageTool",
                "format",
                "-t",
                clusterId(),
                "-c",
                dataDir.resolve("server.properties").toString()));
    try {
      if (!format.waitFor(FORMAT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
        format.destroyForcibly();
        throw new StackStartException(
            "kafka", "formatting storage took over " + FORMAT_TIMEOUT, consoleOut(), null);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      format.destroyForcibly();
      throw new StackStartException("kafka", "interrupted formatting storage", consoleOut(), e);
    }
    if (format.exitValue() != 0) {
      throw new StackStartException(
          "kafka",
          "formatting storage failed (exit " + format.exitValue() + ")",
          consoleOut(),
          null);
    }
  }

  // The storage tool reads an id starting with '-' as an option.
  private static String clusterId() {
    String id = Uuid.randomUuid().toString();
    while (id.startsWith("-")) {
      id = Uuid.randomUuid().toString();
    }
    return id;
  }

  private Process launch(List<String> mainAndArgs) {
    List<String> command = new ArrayList<>();
    command.add(Java.binary());
    command.addAll(JVM_OPTIONS);
    command.add("@" + dataDir.resolve("jvm.args"));
    command.add("-Dslf4j.provider=" + BrokerLogProvider.class.getName());
    command.add("-D" + BrokerLogProvider.FILE_PROPERTY + "=" + log.toAbsolutePath());
    command.add("-Dlog4j2.configurationFile=" + dataDir.resolve("log4j2.properties"));
    command.addAll(mainAndArgs);
    try {
      return new ProcessBuilder(command)
          .directory(dataDir.toFile())
          .redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.appendTo(consoleOut().toFile()))
          .start();
    } catch (IOException e) {
      throw new StackStartException("kafka", "cannot launch " + command, consoleOut(), e);
    }
  }

  // A plain TCP connect first: an admin client polling a closed port spins and logs hard enough
  // to slow the broker's own start on a small machine.
  private void awaitReady() {
    long deadline = System.nanoTime() + readyTimeout.toNanos();
    while (System.nanoTime() < deadline && !Ports.accepts(port, 200)) {
      assertAlive();
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
    }
    Exception lastFailure = null;
    try (Admin admin = Admin.create(adminProperties())) {
      while (System.nanoTime() < deadline) {
        assertAlive();
        try {
          if (!admin
              .describeCluster(new DescribeClusterOptions().timeoutMs(2000))
              .nodes()
              .get(3, TimeUnit.SECONDS)
              .isEmpty()) {
            return;
          }
        } catch (ExecutionException | TimeoutException e) {
          lastFailure = e;
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new StackStartException("kafka", "interrupted while waiting", log, e);
        }
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100));
      }
    }
    kill();
    throw new StackStartException(
        "kafka", "not serving metadata within " + readyTimeout, log, lastFailure);
  }

  private void assertAlive() {
    if (!process.isAlive()) {
      throw new StackStartException(
          "kafka",
          "the broker exited with code "
              + process.exitValue()
              + "; console output:\n"
              + Directories.tail(consoleOut(), 2_000),
          log,
          null);
    }
  }

  private Properties adminProperties() {
    return adminProperties(bootstrapServers());
  }

  /**
   * Settings for an admin client of a local broker: short request timeouts and reconnect backoffs,
   * since the broker is on this machine and may be restarting.
   */
  public static Properties adminProperties(String bootstrapServers) {
    Properties props = new Properties();
    props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "2000");
    props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "30000");
    props.put(AdminClientConfig.RECONNECT_BACKOFF_MS_CONFIG, "50");
    props.put(AdminClientConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, "200");
    props.put(AdminClientConfig.RETRY_BACKOFF_MS_CONFIG, "100");
    props.put(AdminClientConfig.RETRY_BACKOFF_MAX_MS_CONFIG, "500");
    return props;
  }

  @Override
  public String toString() {
    return "Kafka broker at " + bootstrapServers() + " (data " + dataDir + ")";
  }
}
