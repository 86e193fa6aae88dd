package io.backfill.stack;

import java.lang.System.Logger.Level;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The whole of Backfill on one machine: a Kafka broker (KRaft, child JVM), PostgreSQL (the
 * machine's or embedded), the outlook-simulator with a generated mailbox, and the four services as
 * separate processes — the ingest-fetcher, N extraction workers, the heartbeat-monitor and the
 * api-gateway — each on a free port, logging to {@code <logDir>/<name>.log}.
 *
 * <pre>{@code
 * try (LocalStack stack = LocalStack.start(StackConfig.builder().messages(2_000).build())) {
 *   stack.gateway().baseUrl();          // http://127.0.0.1:<port>
 *   stack.worker(1).kill();             // SIGKILL
 *   stack.worker(1).start();            // same port, waits for /q/health/ready
 * }
 * }</pre>
 *
 * A part that does not start stops what was started and throws {@link StackStartException} naming
 * the part, the reason and its log.
 */
public final class LocalStack implements AutoCloseable {

  public static final String SIMULATOR = "outlook-simulator";
  public static final String FETCHER = "ingest-fetcher";
  public static final String WORKER = "extraction-worker";
  public static final String MONITOR = "heartbeat-monitor";
  public static final String GATEWAY = "api-gateway";

  /**
   * The simulator listens on a loopback address of its own: the services' LLM egress rules allow
   * plain http to that one address (the simulator stands in for the LLM provider), while every
   * other loopback address, the services' own included, stays refused as it is in production.
   */
  public static final String SIMULATOR_HOST = "127.0.0.2";

  /** The file {@link #start} writes (pids, URLs, logs) and {@link #stopRecorded} reads. */
  public static final String STATE_FILE = "stack.json";

  private static final System.Logger LOG = System.getLogger(LocalStack.class.getName());
  private static final List<String> JVM_OPTIONS =
      List.of("-Xmx384m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1");
  // The worker holds an ONNX embedding model and chunks of up to 100 bodies.
  private static final List<String> WORKER_JVM_OPTIONS =
      List.of("-Xmx640m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1");

  private final StackConfig config;
  private KafkaBrokerProcess kafka;
  private PostgresServer postgres;
  private boolean databaseCreated;
  private ServiceNode simulator;
  private ServiceNode monitor;
  private ServiceNode gateway;
  private ServiceSettings settings;
  private ServiceNode fetcher;
  private final List<ServiceNode> workers = new ArrayList<>();
  private final List<ServiceNode> extraMonitors = new ArrayList<>();
  private Map<String, Path> jars;
  private Thread shutdownHook;
  private boolean closed;

  private LocalStack(StackConfig config) {
    this.config = config;
  }

  /** Starts every part in order and waits until each is ready. */
  public static LocalStack start(StackConfig config) {
    LocalStack stack = new LocalStack(config);
    if (config.stopOnJvmExit) {
      stack.shutdownHook = new Thread(stack::stopQuietly, "backfill-local-stack-shutdown");
      Runtime.getRuntime().addShutdownHook(stack.shutdownHook);
    }
    try {
      stack.startParts();
      return stack;
    } catch (RuntimeException e) {
      stack.stopQuietly();
      throw e;
    }
  }

  private void startParts() {
    long started = System.nanoTime();
    Directories.create(config.workDir);
    Directories.create(config.logDir);
    jars = AppJars.locate(config);

    Directories.delete(config.workDir.resolve("kafka"));
    kafka =
        new KafkaBrokerProcess(
            config.workDir.resolve("kafka"), logFile("kafka"), config.readyTimeout);
    kafka.start();

    postgres = PostgresServer.locate(config.workDir.resolve("postgres"));
    postgres.createDatabase(config.databaseName);
    databaseCreated = true;

    // The simulator's and the gateway's ports are chosen first: the simulator's app registration
    // names the consent callback, and the fetcher and workers the gateway's internal port.
    int simulatorPort = Ports.pickFree();
    int gatewayPort = Ports.pickFree();
    settings =
        new ServiceSettings(
            config,
            "http://" + SIMULATOR_HOST + ":" + simulatorPort,
            gatewayPort,
            Ports.pickFree());
    simulator = node(SIMULATOR, SIMULATOR, settings.simulator(), SIMULATOR_HOST, simulatorPort);
    simulator.start();

    // Launched together, awaited in order: on two cores the JVMs' start-ups overlap their waits.
    monitor = node(MONITOR, MONITOR, serviceConfig(settings.monitor()));
    gateway =
        node(
            GATEWAY,
            GATEWAY,
            serviceConfig(settings.gateway(monitor.baseUrl())),
            ServiceNode.LOOPBACK,
            gatewayPort);
    fetcher = node(FETCHER, FETCHER, serviceConfig(settings.fetcher()));
    for (int i = 1; i <= config.workers; i++) {
      String name = WORKER + "-" + i;
      workers.add(node(name, WORKER, serviceConfig(settings.worker(name))));
    }
    List<ServiceNode> services = services();
    for (ServiceNode service : services) {
      service.launch();
    }
    for (ServiceNode service : services) {
      service.awaitReady();
    }
    StackRecord.write(config.workDir.resolve(STATE_FILE), config, kafka, postgres, processes());
    LOG.log(
        Level.INFO,
        "Local stack ready in {0} s: {1}",
        TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started),
        describe());
  }

  private ServiceNode node(String name, String module, Map<String, String> properties) {
    return node(name, module, properties, ServiceNode.LOOPBACK, Ports.pickFree());
  }

  private ServiceNode node(
      String name, String module, Map<String, String> properties, String host, int port) {
    Map<String, String> merged = new LinkedHashMap<>(properties);
    merged.putAll(config.moduleProperties.getOrDefault(module, Map.of()));
    Map<String, String> env =
        new LinkedHashMap<>(
            module.equals(SIMULATOR) ? Map.of() : settings.forwardCompatibleEnvironment(module));
    env.putAll(config.moduleEnvironment.getOrDefault(module, Map.of()));
    return new ServiceNode(
        name,
        module,
        jars.get(module),
        host,
        port,
        logFile(name),
        config.workDir.resolve("run").resolve(name),
        jvmOptions(module),
        merged,
        env,
        config.readyTimeout);
  }

  private List<String> jvmOptions(String module) {
    List<String> options = module.equals(WORKER) ? WORKER_JVM_OPTIONS : JVM_OPTIONS;
    if (!config.fullJit) {
      return options;
    }
    return options.stream().filter(o -> !o.startsWith("-XX:TieredStopAtLevel")).toList();
  }

  private Path logFile(String part) {
    return config.logDir.resolve(part + ".log");
  }

  private Map<String, String> serviceConfig(Map<String, String> own) {
    return settings.service(own, kafka, postgres);
  }

  /** The gateway's internal endpoints (service token), what the fetcher and workers call. */
  public String gatewayInternalUrl() {
    return settings.gatewayInternalUrl();
  }

  /** Where the identity platform sends an administrator's browser after admin consent. */
  public String consentCallbackUrl() {
    return settings.consentCallbackUrl();
  }

  /**
   * The simulator's OpenAI-compatible base URL, what a tenant stores as {@code openai_base_url}.
   */
  public String llmBaseUrl() {
    return settings.llmBaseUrl();
  }

  public StackConfig config() {
    return config;
  }

  public KafkaBrokerProcess kafka() {
    return kafka;
  }

  public PostgresServer postgres() {
    return postgres;
  }

  public String databaseName() {
    return config.databaseName;
  }

  /** A connection to the services' database (the caller closes it). */
  public Connection database() throws SQLException {
    return postgres.connect(config.databaseName);
  }

  public ServiceNode simulator() {
    return simulator;
  }

  public ServiceNode fetcher() {
    return fetcher;
  }

  public ServiceNode monitor() {
    return monitor;
  }

  public ServiceNode gateway() {
    return gateway;
  }

  public List<ServiceNode> workers() {
    return List.copyOf(workers);
  }

  /** Worker {@code n}, counting from 1 ({@code extraction-worker-n}). */
  public ServiceNode worker(int n) {
    return workers.get(n - 1);
  }

  /**
   * Starts one more heartbeat-monitor ({@code heartbeat-monitor-2}, ...) on the same ledger and
   * consumer group, and waits until it is ready; {@link #close()} stops it with the rest.
   */
  public synchronized ServiceNode startAnotherMonitor() {
    String name = MONITOR + "-" + (extraMonitors.size() + 2);
    ServiceNode node = node(name, MONITOR, serviceConfig(settings.monitor()));
    extraMonitors.add(node);
    node.start();
    return node;
  }

  /** The simulator and the services, in start order. */
  public List<ServiceNode> processes() {
    List<ServiceNode> all = new ArrayList<>();
    all.add(simulator);
    all.addAll(services());
    return all;
  }

  /** A process by name ({@code api-gateway}, {@code extraction-worker-2}, ...). */
  public Optional<ServiceNode> process(String name) {
    return processes().stream().filter(p -> p.name().equals(name)).findFirst();
  }

  private List<ServiceNode> services() {
    List<ServiceNode> services = new ArrayList<>();
    for (ServiceNode node : java.util.Arrays.asList(monitor, gateway, fetcher)) {
      if (node != null) {
        services.add(node);
      }
    }
    services.addAll(workers);
    services.addAll(extraMonitors);
    return services;
  }

  /** The window [from, to) that holds every simulated message. */
  public Instant windowFrom() {
    return config.mailboxStart().minus(Duration.ofDays(1));
  }

  public Instant windowTo() {
    return config.mailboxEnd();
  }

  /** The build SHA each running process reports on /version, by process name. */
  public Map<String, String> buildShas() {
    Map<String, String> shas = new LinkedHashMap<>();
    for (ServiceNode node : processes()) {
      if (node.isRunning()) {
        shas.put(node.name(), node.buildSha());
      }
    }
    return shas;
  }

  /** One line per part: name, URL or address, log. */
  public String describe() {
    StringBuilder text = new StringBuilder();
    text.append("\n  kafka              ")
        .append(kafka.bootstrapServers())
        .append("  log ")
        .append(kafka.log());
    text.append("\n  postgresql         ")
        .append(postgres.jdbcUrl(config.databaseName))
        .append(postgres.embedded() ? " (embedded)" : "");
    for (ServiceNode node : processes()) {
      text.append(String.format("%n  %-18s %s  log %s", node.name(), node.baseUrl(), node.log()));
    }
    return text.toString();
  }

  /** Stops the services (SIGTERM, in reverse order), the broker and an embedded PostgreSQL. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    stopQuietly();
    if (shutdownHook != null) {
      try {
        Runtime.getRuntime().removeShutdownHook(shutdownHook);
      } catch (IllegalStateException e) {
        // The JVM is already shutting down and runs the hook itself.
        LOG.log(Level.DEBUG, "Shutdown in progress; the hook stops the stack", e);
      }
    }
  }

  private synchronized void stopQuietly() {
    if (closed) {
      return;
    }
    closed = true;
    // Workers and the fetcher first (together), so they hand back work to a monitor and broker
    // still up; then the gateway (which polls the monitor), then the monitor.
    List<ServiceNode> executors = new ArrayList<>(workers);
    if (fetcher != null) {
      executors.add(fetcher);
    }
    PartStopper.together(executors);
    PartStopper.together(java.util.Collections.singletonList(gateway));
    List<ServiceNode> monitors = new ArrayList<>(extraMonitors);
    monitors.add(monitor);
    PartStopper.together(monitors);
    if (simulator != null) {
      PartStopper.one(SIMULATOR, simulator::stop);
    }
    if (kafka != null) {
      PartStopper.one("kafka", kafka::stop);
    }
    if (postgres != null) {
      if (databaseCreated && config.dropDatabaseOnClose) {
        PartStopper.one(
            "database " + config.databaseName, () -> postgres.dropDatabase(config.databaseName));
      }
      PartStopper.one("postgresql", postgres::close);
    }
    StackRecord.delete(config.workDir.resolve(STATE_FILE));
  }

  /**
   * Stops the processes of a stack that another JVM started and recorded in {@code
   * <workDir>/stack.json} (SIGTERM, SIGKILL after 30 s), services before the broker. Returns the
   * names of the processes stopped; none when there is no record.
   */
  public static List<String> stopRecorded(Path workDir) {
    return StackRecord.stopRecorded(workDir.resolve(STATE_FILE));
  }
}
