package io.backfill.testkit;

import io.backfill.stack.BrokerLogProvider;
import io.backfill.stack.BrokerProperties;
import io.backfill.stack.ChildClasspath;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
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
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;
import org.jboss.logging.Logger;

/**
 * A real Apache Kafka broker (KRaft, combined broker and controller) running in a child JVM.
 *
 * <p>A child process rather than an in-process broker, so tests can stop, kill and restart it like
 * a real one. Ports and the data directory stay the same for the broker's whole life, so a restart
 * keeps the bootstrap address and every record written before it.
 */
public final class KafkaBroker implements AutoCloseable {

  private static final Logger LOG = Logger.getLogger(KafkaBroker.class);

  private static final Duration READY_TIMEOUT = Duration.ofSeconds(60);
  private static final Duration STOP_TIMEOUT = Duration.ofSeconds(30);
  private static final Duration FORMAT_TIMEOUT = Duration.ofSeconds(60);
  private static final List<String> JVM_OPTIONS =
      List.of("-Xmx512m", "-XX:+UseSerialGC", "-Xss1m", "-XX:TieredStopAtLevel=1");

  /**
   * Where the JVM-wide shared broker's address is kept. Quarkus loads test resources in a class
   * loader per application, so a static field alone would start one broker per test class; the
   * system properties are the same for every class loader of the JVM.
   */
  private static final String SHARED_BOOTSTRAP_PROPERTY = "backfill.testkit.shared-kafka";

  /** The one user the SASL_PLAINTEXT listener of {@link #createWithSasl()} accepts. */
  public static final String SASL_USER = "backfill";

  /** {@link #SASL_USER}'s password. */
  public static final String SASL_PASSWORD = "backfill-sasl-secret";

  private static KafkaBroker shared;

  private final int port;
  private final int controllerPort;
  private final int saslPort;
  private final Path dataDir;
  private final Path propertiesFile;
  private final Path brokerOut;
  private final Path brokerLog;
  private final boolean attached;
  private Process process;
  private boolean formatted;
  private boolean closed;

  /** A handle on the shared broker that another class loader of this JVM started and owns. */
  private KafkaBroker(int port) {
    this.port = port;
    this.controllerPort = -1;
    this.saslPort = -1;
    this.dataDir = null;
    this.propertiesFile = null;
    this.brokerOut = null;
    this.brokerLog = null;
    this.attached = true;
  }

  private KafkaBroker(boolean sasl) {
    this.port = FreePort.pick();
    int candidate = FreePort.pick();
    while (candidate == port) {
      candidate = FreePort.pick();
    }
    this.controllerPort = candidate;
    if (sasl) {
      candidate = FreePort.pick();
      while (candidate == port || candidate == controllerPort) {
        candidate = FreePort.pick();
      }
      this.saslPort = candidate;
    } else {
      this.saslPort = -1;
    }
    this.dataDir = DataDirectory.create("backfill-kafka-");
    this.propertiesFile = dataDir.resolve("server.properties");
    this.brokerOut = dataDir.resolve("broker.out");
    this.brokerLog = dataDir.resolve("broker.log");
    this.attached = false;
  }

  /** The broker shared by every test of this JVM, started on first use, stopped at JVM exit. */
  public static KafkaBroker shared() {
    // The system properties object is one per JVM, whatever class loader runs this code.
    synchronized (System.getProperties()) {
      if (shared != null) {
        return shared;
      }
      String started = System.getProperty(SHARED_BOOTSTRAP_PROPERTY);
      if (started != null) {
        shared = new KafkaBroker(Integer.parseInt(started.substring(started.lastIndexOf(':') + 1)));
        return shared;
      }
      KafkaBroker broker = new KafkaBroker(false);
      Runtime.getRuntime()
          .addShutdownHook(new Thread(broker::close, "backfill-kafka-broker-shutdown"));
      broker.start();
      System.setProperty(SHARED_BOOTSTRAP_PROPERTY, broker.bootstrapServers());
      shared = broker;
      return shared;
    }
  }

  /**
   * A broker the caller owns (and closes), for tests that stop, kill or restart it. Not started.
   */
  public static KafkaBroker create() {
    return new KafkaBroker(false);
  }

  /**
   * A broker the caller owns (and closes) with a SASL_PLAINTEXT listener (PLAIN, {@link #SASL_USER}
   * and {@link #SASL_PASSWORD}) beside the plaintext one. Not started.
   */
  public static KafkaBroker createWithSasl() {
    return new KafkaBroker(true);
  }

  /** The plaintext listener, which every broker has. */
  public String bootstrapServers() {
    return "127.0.0.1:" + port;
  }

  /** The SASL_PLAINTEXT listener of a broker made by {@link #createWithSasl()}. */
  public String saslBootstrapServers() {
    if (saslPort < 0) {
      throw new IllegalStateException(
          "this broker has no SASL listener; use KafkaBroker.createWithSasl()");
    }
    return "127.0.0.1:" + saslPort;
  }

  /**
   * The Quarkus settings that point a service's Kafka clients at the SASL listener with the right
   * credentials: {@code kafka.bootstrap.servers}, {@code kafka.security.protocol}, {@code
   * kafka.sasl.mechanism} and {@code kafka.sasl.jaas.config}.
   */
  public Map<String, String> saslClientProperties() {
    Map<String, String> properties = new LinkedHashMap<>();
    properties.put("kafka.bootstrap.servers", saslBootstrapServers());
    properties.put("kafka.security.protocol", "SASL_PLAINTEXT");
    properties.put("kafka.sasl.mechanism", "PLAIN");
    properties.put("kafka.sasl.jaas.config", saslJaasConfig());
    return properties;
  }

  /** The client JAAS line for {@link #SASL_USER}. */
  public static String saslJaasConfig() {
    return "org.apache.kafka.common.security.plain.PlainLoginModule required username=\""
        + SASL_USER
        + "\" password=\""
        + SASL_PASSWORD
        + "\";";
  }

  /** The directory holding server.properties, the log dirs, broker.out and broker.log. */
  public Path dataDir() {
    return dataDir;
  }

  /** Starts the broker and waits until it serves metadata; formats storage on first start. */
  public synchronized void start() {
    refuseIfAttached();
    if (closed) {
      throw new IllegalStateException("Broker was closed: " + bootstrapServers());
    }
    if (isRunning()) {
      return;
    }
    long started = System.nanoTime();
    writeConfiguration();
    long formatMillis = 0;
    if (!formatted) {
      format();
      formatted = true;
      formatMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
    }
    process = launch(List.of("kafka.Kafka", propertiesFile.toString()), brokerOut);
    awaitReady();
    LOG.infof(
        "Kafka broker ready at %s in %d ms (storage format %d ms; data %s)",
        bootstrapServers(),
        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started),
        formatMillis,
        dataDir);
  }

  /** Graceful stop (SIGTERM), forcibly after 30 s; data and ports are kept for a restart. */
  public synchronized void stop() {
    refuseIfAttached();
    if (process == null) {
      return;
    }
    process.destroy();
    try {
      if (!process.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
        LOG.warnf(
            "Kafka broker %s did not stop within %s, killing it", bootstrapServers(), STOP_TIMEOUT);
        kill();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      kill();
    }
    process = null;
  }

  /** Abrupt death (SIGKILL), as a crashed broker; data and ports are kept for a restart. */
  public synchronized void kill() {
    refuseIfAttached();
    if (process == null) {
      return;
    }
    process.destroyForcibly();
    try {
      process.waitFor();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted while killing the broker", e);
    }
    process = null;
  }

  /** Stop and start again on the same ports and data directory. */
  public synchronized void restart() {
    stop();
    start();
  }

  public synchronized boolean isRunning() {
    if (attached) {
      return true;
    }
    return process != null && process.isAlive();
  }

  /**
   * Creates a topic unless it exists; waits until the broker has created it.
   *
   * @param configs topic-level configs, e.g. {@code cleanup.policy}
   */
  public void createTopic(String name, int partitions, Map<String, String> configs) {
    try (Admin admin = Admin.create(adminProperties())) {
      NewTopic topic = new NewTopic(name, partitions, (short) 1).configs(configs);
      admin.createTopics(List.of(topic)).all().get(30, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      if (!(e.getCause() instanceof TopicExistsException)) {
        throw new IllegalStateException("Cannot create topic " + name, e.getCause());
      }
    } catch (TimeoutException e) {
      throw new IllegalStateException("Timed out creating topic " + name, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted creating topic " + name, e);
    }
  }

  /** Stops the broker and deletes its data directory. */
  @Override
  public synchronized void close() {
    if (attached) {
      return;
    }
    if (closed) {
      return;
    }
    closed = true;
    stop();
    DataDirectory.delete(dataDir);
  }

  private void refuseIfAttached() {
    if (attached) {
      throw new IllegalStateException(
          "the shared broker at "
              + bootstrapServers()
              + " is owned by another class loader of this JVM; use KafkaBroker.create() for a"
              + " broker a test can stop, kill or restart");
    }
  }

  @Override
  public String toString() {
    return "KafkaBroker[" + bootstrapServers() + ", " + dataDir + "]";
  }

  private Properties adminProperties() {
    Properties props = new Properties();
    props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
    props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "2000");
    props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "30000");
    props.put(AdminClientConfig.RECONNECT_BACKOFF_MS_CONFIG, "50");
    props.put(AdminClientConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, "200");
    props.put(AdminClientConfig.RETRY_BACKOFF_MS_CONFIG, "100");
    props.put(AdminClientConfig.RETRY_BACKOFF_MAX_MS_CONFIG, "500");
    return props;
  }

  private void writeConfiguration() {
    Map<String, String> server =
        BrokerProperties.combinedMode(port, controllerPort, dataDir.resolve("logs"));
    if (saslPort >= 0) {
      server = BrokerProperties.withSaslPlainListener(server, saslPort, SASL_USER, SASL_PASSWORD);
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
      Files.writeString(propertiesFile, properties, StandardCharsets.UTF_8);
      Files.writeString(dataDir.resolve("log4j2.properties"), log4j, StandardCharsets.UTF_8);
      Files.writeString(dataDir.resolve("jvm.args"), classpathArgument(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot write the broker configuration in " + dataDir, e);
    }
  }

  // An argument file, because a long test classpath can exceed the kernel's limit for one argument.
  private static String classpathArgument() {
    String classpath = String.join(java.io.File.pathSeparator, ChildClasspath.ofCurrentJvm());
    return "-cp \"" + classpath.replace("\\", "\\\\").replace("\"", "\\\"") + "\"\n";
  }

  private void format() {
    Path out = dataDir.resolve("format.out");
    String clusterId = ClusterId.random();
    Process format =
        launch(
            List.of(
                "kafka.tools.StorageTool",
                "format",
                "-t",
                clusterId,
                "-c",
                propertiesFile.toString()),
            out);
    try {
      if (!format.waitFor(FORMAT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
        format.destroyForcibly();
        throw new IllegalStateException(
            "Formatting Kafka storage timed out:\n" + DataDirectory.tail(out, 4000));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      format.destroyForcibly();
      throw new IllegalStateException("Interrupted while formatting Kafka storage", e);
    }
    if (format.exitValue() != 0) {
      throw new IllegalStateException(
          "Formatting Kafka storage with cluster id "
              + clusterId
              + " failed (exit "
              + format.exitValue()
              + "):\n"
              + DataDirectory.tail(out, 4000));
    }
  }

  private Process launch(List<String> mainAndArgs, Path output) {
    List<String> command = new ArrayList<>();
    command.add(javaBinary());
    command.addAll(JVM_OPTIONS);
    command.add("@" + dataDir.resolve("jvm.args"));
    command.add("-Dslf4j.provider=" + BrokerLogProvider.class.getName());
    command.add("-D" + BrokerLogProvider.FILE_PROPERTY + "=" + brokerLog);
    command.add("-Dlog4j2.configurationFile=" + dataDir.resolve("log4j2.properties"));
    command.addAll(mainAndArgs);
    try {
      return new ProcessBuilder(command)
          .directory(dataDir.toFile())
          .redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.appendTo(output.toFile()))
          .start();
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot launch " + command, e);
    }
  }

  private static String javaBinary() {
    Path javaHome = Path.of(System.getProperty("java.home"));
    Path java = javaHome.resolve("bin").resolve("java");
    if (Files.isExecutable(java)) {
      return java.toString();
    }
    return ProcessHandle.current().info().command().orElse("java");
  }

  // First a plain TCP connect, because an admin client polling a closed port spins and logs
  // hard enough to slow the broker's own start on a small machine.
  private void awaitReady() {
    long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
    Exception lastFailure = null;
    while (System.nanoTime() < deadline && !acceptsConnections()) {
      assertAlive(null);
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
    }
    try (Admin admin = Admin.create(adminProperties())) {
      while (System.nanoTime() < deadline) {
        assertAlive(lastFailure);
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
          throw notReady("Interrupted while waiting for the Kafka broker", e);
        }
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100));
      }
    }
    kill();
    throw notReady("Kafka broker not ready within " + READY_TIMEOUT, lastFailure);
  }

  private void assertAlive(Exception lastFailure) {
    if (!process.isAlive()) {
      throw notReady("Kafka broker exited with code " + process.exitValue(), lastFailure);
    }
  }

  private boolean acceptsConnections() {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private IllegalStateException notReady(String reason, Exception cause) {
    return new IllegalStateException(
        reason
            + " ("
            + this
            + ")\n--- broker.out ---\n"
            + DataDirectory.tail(brokerOut, 4000)
            + "\n--- broker.log ---\n"
            + DataDirectory.tail(brokerLog, 8000),
        cause);
  }
}
