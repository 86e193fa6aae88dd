package io.backfill.stack;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.file.Files;
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
  private static final ObjectMapper JSON = new ObjectMapper();
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
  private int gatewayPort;
  private int gatewayInternalPort;
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
    jars = locateJars();

    Directories.delete(config.workDir.resolve("kafka"));
    kafka =
        new KafkaBrokerProcess(
            config.workDir.resolve("kafka"), logFile("kafka"), config.readyTimeout);
    kafka.start();

    postgres = PostgresServer.locate(config.workDir.resolve("postgres"));
    postgres.createDatabase(config.databaseName);
    databaseCreated = true;

    // The gateway's ports are chosen first: the simulator's app registration names the consent
    // callback, and the fetcher and workers its internal port.
    gatewayPort = Ports.pickFree();
    gatewayInternalPort = Ports.pickFree();
    simulator =
        node(SIMULATOR, SIMULATOR, jars, simulatorConfig(), SIMULATOR_HOST, Ports.pickFree());
    simulator.start();

    // Launched together, awaited in order: on two cores the JVMs' start-ups overlap their waits.
    monitor = node(MONITOR, MONITOR, jars, serviceConfig(MONITOR, monitorConfig()));
    gateway =
        node(
            GATEWAY,
            GATEWAY,
            jars,
            serviceConfig(GATEWAY, gatewayConfig()),
            ServiceNode.LOOPBACK,
            gatewayPort);
    fetcher = node(FETCHER, FETCHER, jars, serviceConfig(FETCHER, fetcherConfig()));
    for (int i = 1; i <= config.workers; i++) {
      String name = WORKER + "-" + i;
      workers.add(node(name, WORKER, jars, serviceConfig(WORKER, workerConfig(name))));
    }
    List<ServiceNode> services = services();
    for (ServiceNode service : services) {
      service.launch();
    }
    for (ServiceNode service : services) {
      service.awaitReady();
    }
    writeState();
    LOG.log(
        Level.INFO,
        "Local stack ready in {0} s: {1}",
        TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started),
        describe());
  }

  private Map<String, Path> locateJars() {
    Map<String, Path> jars = new LinkedHashMap<>();
    for (String module : List.of(SIMULATOR, FETCHER, WORKER, MONITOR, GATEWAY)) {
      Path app = config.projectRoot.resolve(module).resolve("target/quarkus-app");
      if (!Files.isRegularFile(app.resolve("quarkus-run.jar"))) {
        throw new StackStartException(
            module,
            app.resolve("quarkus-run.jar")
                + " does not exist: build it first (./mvnw -B -pl "
                + module
                + " -am package -DskipTests)",
            null,
            null);
      }
      if (config.snapshotApps) {
        Path copy = config.workDir.resolve("apps").resolve(module);
        Directories.copy(app, copy);
        app = copy;
      }
      jars.put(module, app.resolve("quarkus-run.jar"));
    }
    return jars;
  }

  private ServiceNode node(
      String name, String module, Map<String, Path> jars, Map<String, String> properties) {
    return node(name, module, jars, properties, ServiceNode.LOOPBACK, Ports.pickFree());
  }

  private ServiceNode node(
      String name,
      String module,
      Map<String, Path> jars,
      Map<String, String> properties,
      String host,
      int port) {
    Map<String, String> merged = new LinkedHashMap<>(properties);
    merged.putAll(config.moduleProperties.getOrDefault(module, Map.of()));
    Map<String, String> env =
        new LinkedHashMap<>(
            module.equals(SIMULATOR) ? Map.of() : forwardCompatibleEnvironment(module));
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

  private Map<String, String> simulatorConfig() {
    Map<String, String> p = new LinkedHashMap<>();
    p.put("quarkus.http.host", SIMULATOR_HOST);
    p.put("quarkus.log.console.json.enabled", "false");
    // Each mailbox belongs to its organisation's directory: only that directory's tokens read it.
    p.put(
        "backfill.simulator.mailboxes",
        config.mailbox
            + "="
            + config.messages
            + ";seed="
            + config.mailboxSeed
            + ";tenant="
            + StackConfig.GRAPH_DIRECTORY
            + ","
            + StackConfig.OTHER_MAILBOX
            + "=20;seed=2;tenant="
            + StackConfig.OTHER_GRAPH_DIRECTORY
            + ","
            + StackConfig.CONSENTING_MAILBOX
            + "=20;seed=3;tenant="
            + StackConfig.CONSENTING_GRAPH_DIRECTORY);
    p.put("backfill.simulator.mailbox-end", config.mailboxEnd.toString());
    p.put("backfill.simulator.mailbox-span-days", String.valueOf(config.mailboxSpanDays));
    // The operator's multi-tenant app: tokens for a directory only once its admin consented.
    String app = "backfill.simulator.graph.apps.backfill";
    p.put(app + ".client-id", StackConfig.GRAPH_CLIENT_ID);
    p.put(app + ".client-secret", StackConfig.GRAPH_CLIENT_SECRET);
    p.put(app + ".redirect-uris", consentCallbackUrl());
    String contoso = "backfill.simulator.graph.tenants." + StackConfig.GRAPH_DIRECTORY;
    p.put(contoso + ".verified-domains", domainOf(config.mailbox));
    p.put(contoso + ".consented-apps", StackConfig.GRAPH_CLIENT_ID);
    String fabrikam = "backfill.simulator.graph.tenants." + StackConfig.OTHER_GRAPH_DIRECTORY;
    p.put(fabrikam + ".verified-domains", domainOf(StackConfig.OTHER_MAILBOX));
    String tailspin = "backfill.simulator.graph.tenants." + StackConfig.CONSENTING_GRAPH_DIRECTORY;
    p.put(tailspin + ".verified-domains", domainOf(StackConfig.CONSENTING_MAILBOX));
    p.put("backfill.simulator.llm.keys." + config.tenantId, config.llmApiKey);
    p.putAll(config.simulatorProperties);
    return p;
  }

  // What every service gets: the broker, the database, readable logs on loopback.
  private Map<String, String> serviceConfig(String module, Map<String, String> own) {
    Map<String, String> p = new LinkedHashMap<>();
    p.put("quarkus.http.host", "127.0.0.1");
    p.put("quarkus.log.console.json.enabled", "false");
    p.put("kafka.bootstrap.servers", kafka.bootstrapServers());
    p.put("quarkus.datasource.jdbc.url", postgres.jdbcUrl(config.databaseName));
    p.put("quarkus.datasource.username", postgres.username());
    if (!postgres.password().isEmpty()) {
      p.put("quarkus.datasource.password", postgres.password());
    }
    p.putAll(own);
    p.putAll(config.serviceProperties);
    return p;
  }

  private Map<String, String> fetcherConfig() {
    Map<String, String> p = new LinkedHashMap<>();
    p.put("backfill.fetcher.worker-id", FETCHER + "." + ServiceNode.INCARNATION);
    consumerSessionTimeouts(p, "backfill-requests", "backfill-commands", "run-control");
    p.put("backfill.fetcher.heartbeat-interval", "2s");
    p.put("backfill.graph.base-url", simulator.baseUrl());
    // Every tenant's directory comes from the gateway (bound by consent); tokens from the
    // simulator's identity platform with the operator's app.
    p.put("backfill.graph.connections.source", "gateway");
    p.put("backfill.graph.connections.login-url", simulator.baseUrl());
    p.put(
        "quarkus.oidc-client.auth-server-url",
        simulator.baseUrl() + "/" + StackConfig.GRAPH_DIRECTORY);
    p.put("quarkus.oidc-client.client-id", StackConfig.GRAPH_CLIENT_ID);
    p.put("quarkus.oidc-client.credentials.client-secret.value", StackConfig.GRAPH_CLIENT_SECRET);
    return p;
  }

  private Map<String, String> workerConfig(String name) {
    Map<String, String> p = new LinkedHashMap<>();
    p.put("backfill.worker.worker-id", name + "." + ServiceNode.INCARNATION);
    consumerSessionTimeouts(p, "backfill-chunks", "run-control-retries");
    p.put("backfill.worker.heartbeat-interval", "2s");
    return p;
  }

  // Heartbeats every 2 s, stale after 10 s: five missed heartbeats, so a busy machine's hiccup is
  // not a death, and a killed process is noticed within seconds rather than the production 30 s.
  private Map<String, String> monitorConfig() {
    Map<String, String> p = new LinkedHashMap<>();
    p.put("backfill.monitor.fetch.stale-floor", "10s");
    p.put("backfill.monitor.extract.stale-floor", "10s");
    p.put("backfill.monitor.follow.stale-floor", "10s");
    p.put("backfill.monitor.retry.initial-delay", "1s");
    p.put("backfill.monitor.retry.max-delay", "5s");
    consumerSessionTimeouts(p, "run-events");
    return p;
  }

  // A killed process's partitions of a shared group go to the others (or to its successor) only
  // when its session expires: 10 s here instead of Kafka's 45 s, so recovery shows in seconds.
  private static void consumerSessionTimeouts(Map<String, String> p, String... channels) {
    for (String channel : channels) {
      p.put("mp.messaging.incoming." + channel + ".session.timeout.ms", "10000");
      p.put("mp.messaging.incoming." + channel + ".heartbeat.interval.ms", "2000");
    }
  }

  /**
   * Settings of features a service build may not have yet, as environment variables: Quarkus
   * rejects an unknown {@code backfill.*} system property at start-up, but ignores an environment
   * variable that maps to nothing, so one stack runs builds from before and after the feature.
   */
  private Map<String, String> forwardCompatibleEnvironment(String module) {
    Map<String, String> env = new LinkedHashMap<>();
    // The fetcher: the gateway serves each tenant's Graph connection when the source is "gateway";
    // the stack keeps "static" (every tenant on the simulator's one directory).
    if (module.equals(FETCHER)) {
      env.put("QUARKUS_REST_CLIENT_BACKFILL_GATEWAY_URL", gatewayInternalUrl());
      env.put("BACKFILL_SERVICE_TOKEN", config.serviceToken);
      env.put("BACKFILL_GRAPH_CONNECTIONS_SERVICE_TOKEN", config.serviceToken);
    }
    // The worker: LLM keys are each tenant's BYOK secret fetched from the gateway; calls go to the
    // simulator.
    if (module.equals(WORKER)) {
      env.put("BACKFILL_WORKER_CREDENTIALS_GATEWAY_URL", gatewayInternalUrl());
      // The simulator's LLM, plain http on a loopback address of its own, is the one host the
      // egress rules are told to trust; every other loopback address stays refused.
      env.put("BACKFILL_WORKER_LLM_EGRESS_ALLOWED_HOSTS", SIMULATOR_HOST);
      env.put("BACKFILL_WORKER_CREDENTIALS_SERVICE_TOKEN", config.serviceToken);
      env.put("BACKFILL_WORKER_LLM_BASE_URL", llmBaseUrl());
    }
    return env;
  }

  private Map<String, String> gatewayConfig() {
    Map<String, String> p = new LinkedHashMap<>();
    p.put("backfill.gateway.admin-token", config.adminToken);
    p.put("backfill.gateway.service-token", config.serviceToken);
    p.put("backfill.gateway.secrets.master-key", config.masterKey);
    p.put("backfill.gateway.ops.peers", monitor.baseUrl());
    p.put("backfill.gateway.internal.host", "127.0.0.1");
    p.put("backfill.gateway.internal.port", String.valueOf(gatewayInternalPort));
    p.put("backfill.gateway.graph.login-url", simulator.baseUrl());
    p.put("backfill.gateway.graph.client-id", StackConfig.GRAPH_CLIENT_ID);
    // The consent callback proves a directory's consent with a token of this app.
    p.put("backfill.gateway.graph.client-secret", StackConfig.GRAPH_CLIENT_SECRET);
    p.put("backfill.gateway.graph.consent-redirect-uri", consentCallbackUrl());
    // Tenants store the simulator's URL as openai_base_url: its host is the one trusted.
    p.put("backfill.gateway.llm-egress.allowed-hosts", SIMULATOR_HOST);
    p.put("backfill.gateway.ops.lag-refresh-interval", "5s");
    // A restarted gateway's status view catches up in seconds, not after the killed process's
    // consumers have timed out (45 s each by default).
    consumerSessionTimeouts(p, "job-events", "run-events", "run-control", "extraction-results");
    return p;
  }

  /** The gateway's internal endpoints (service token), what the fetcher and workers call. */
  public String gatewayInternalUrl() {
    return "http://127.0.0.1:" + gatewayInternalPort;
  }

  /** Where the identity platform sends an administrator's browser after admin consent. */
  public String consentCallbackUrl() {
    return "http://127.0.0.1:" + gatewayPort + "/api/v1/graph/consent/callback";
  }

  private static String domainOf(String mailbox) {
    return mailbox.substring(mailbox.indexOf('@') + 1);
  }

  /**
   * The simulator's OpenAI-compatible base URL, what a tenant stores as {@code openai_base_url}.
   */
  public String llmBaseUrl() {
    return simulator.baseUrl() + "/v1";
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
    ServiceNode node = node(name, MONITOR, jars, serviceConfig(MONITOR, monitorConfig()));
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
    stopTogether(executors);
    stopTogether(java.util.Collections.singletonList(gateway));
    List<ServiceNode> monitors = new ArrayList<>(extraMonitors);
    monitors.add(monitor);
    stopTogether(monitors);
    if (simulator != null) {
      stopPart(SIMULATOR, simulator::stop);
    }
    if (kafka != null) {
      stopPart("kafka", kafka::stop);
    }
    if (postgres != null) {
      if (databaseCreated && config.dropDatabaseOnClose) {
        stopPart(
            "database " + config.databaseName, () -> postgres.dropDatabase(config.databaseName));
      }
      stopPart("postgresql", postgres::close);
    }
    try {
      Files.deleteIfExists(config.workDir.resolve(STATE_FILE));
    } catch (IOException e) {
      LOG.log(Level.WARNING, "Cannot delete " + config.workDir.resolve(STATE_FILE), e);
    }
  }

  private static void stopTogether(List<ServiceNode> nodes) {
    List<Thread> stopping = new ArrayList<>();
    for (ServiceNode node : nodes) {
      if (node != null) {
        Thread thread = new Thread(() -> stopPart(node.name(), node::stop), "stop-" + node.name());
        thread.start();
        stopping.add(thread);
      }
    }
    for (Thread thread : stopping) {
      try {
        thread.join();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        LOG.log(Level.WARNING, "Interrupted while stopping " + thread.getName(), e);
        return;
      }
    }
  }

  private static void stopPart(String part, Runnable stop) {
    try {
      stop.run();
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, "Stopping " + part + " failed", e);
    }
  }

  // What ./backfill down needs to stop a stack another JVM started.
  private void writeState() {
    ObjectNode state = JSON.createObjectNode();
    state.put("startedAt", Instant.now().toString());
    state.put("database", config.databaseName);
    state.put("dropDatabaseOnClose", config.dropDatabaseOnClose);
    state.put("jdbcUrl", postgres.jdbcUrl(config.databaseName));
    state.put("embeddedPostgres", postgres.embedded());
    ObjectNode parts = state.putObject("processes");
    ObjectNode broker = parts.putObject("kafka");
    broker.put("pid", kafka.pid());
    broker.put("bootstrapServers", kafka.bootstrapServers());
    broker.put("log", kafka.log().toString());
    for (ServiceNode node : processes()) {
      ObjectNode part = parts.putObject(node.name());
      part.put("pid", node.pid());
      part.put("url", node.baseUrl());
      part.put("log", node.log().toString());
    }
    try {
      JSON.writerWithDefaultPrettyPrinter()
          .writeValue(config.workDir.resolve(STATE_FILE).toFile(), state);
    } catch (IOException e) {
      LOG.log(Level.WARNING, "Cannot write " + config.workDir.resolve(STATE_FILE), e);
    }
  }

  /**
   * Stops the processes of a stack that another JVM started and recorded in {@code
   * <workDir>/stack.json} (SIGTERM, SIGKILL after 30 s), services before the broker. Returns the
   * names of the processes stopped; none when there is no record.
   */
  public static List<String> stopRecorded(Path workDir) {
    Path file = workDir.resolve(STATE_FILE);
    if (!Files.isRegularFile(file)) {
      return List.of();
    }
    JsonNode state;
    try {
      state = JSON.readTree(file.toFile());
    } catch (IOException e) {
      throw new IllegalStateException("Cannot read " + file, e);
    }
    List<String> names = new ArrayList<>();
    state.path("processes").fieldNames().forEachRemaining(names::add);
    // Recorded simulator-first, broker at the very start: stop in reverse, broker last.
    List<String> order = new ArrayList<>(names);
    order.remove("kafka");
    java.util.Collections.reverse(order);
    order.add("kafka");
    List<String> stopped = new ArrayList<>();
    for (String name : order) {
      long pid = state.path("processes").path(name).path("pid").asLong(-1);
      Optional<ProcessHandle> handle = pid > 0 ? ProcessHandle.of(pid) : Optional.empty();
      // A recycled pid belongs to some other program: only a java process is ours.
      if (handle.isPresent()
          && handle.get().isAlive()
          && handle.get().info().command().map(c -> c.endsWith("java")).orElse(false)) {
        handle.get().destroy();
        try {
          handle.get().onExit().get(30, TimeUnit.SECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
          handle.get().destroyForcibly();
        } catch (java.util.concurrent.ExecutionException e) {
          throw new IllegalStateException("Cannot wait for " + name + " (pid " + pid + ")", e);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException("Interrupted stopping " + name, e);
        }
        stopped.add(name);
      }
    }
    try {
      Files.deleteIfExists(file);
    } catch (IOException e) {
      LOG.log(Level.WARNING, "Cannot delete " + file, e);
    }
    return stopped;
  }
}
