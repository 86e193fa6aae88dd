package io.backfill.stack;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * One of Backfill's Quarkus applications as its own process, run from its runnable jar ({@code
 * <module>/target/quarkus-app/quarkus-run.jar}) on a port fixed for its life, configured by system
 * properties, writing to one log file. It can be killed (SIGKILL) and started again on the same
 * port.
 *
 * <p>Secret settings (tokens, passwords, keys: {@link SecretSettings}) never go on the command
 * line, where {@code ps} shows them to every user of the machine: they are written to {@code
 * config/application.properties} in the process's working directory, readable by its owner only,
 * which Quarkus reads at start-up.
 */
public final class ServiceNode {

  private static final System.Logger LOG = System.getLogger(ServiceNode.class.getName());
  private static final Duration STOP_TIMEOUT = Duration.ofSeconds(30);

  /** In a configuration value, replaced by the launch's number (1 at first start, then 2...). */
  public static final String INCARNATION = "{incarnation}";

  /** The address a node listens on unless told otherwise. */
  public static final String LOOPBACK = "127.0.0.1";

  private final String name;
  private final String module;
  private final Path jar;
  private final String host;
  private final int port;
  private final Path log;
  private final Path workDir;
  private final List<String> jvmOptions;
  private final Map<String, String> config;
  private final Map<String, String> environment;
  private final Duration readyTimeout;
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  private Process process;
  private int incarnation;
  private boolean frozen;

  public ServiceNode(
      String name,
      String module,
      Path jar,
      Path log,
      Path workDir,
      List<String> jvmOptions,
      Map<String, String> config,
      Map<String, String> environment,
      Duration readyTimeout) {
    this(
        name,
        module,
        jar,
        LOOPBACK,
        Ports.pickFree(),
        log,
        workDir,
        jvmOptions,
        config,
        environment,
        readyTimeout);
  }

  /**
   * A node on an address and port chosen beforehand (others' configuration names it before it
   * starts); the host must be the one its {@code quarkus.http.host} binds.
   */
  public ServiceNode(
      String name,
      String module,
      Path jar,
      String host,
      int port,
      Path log,
      Path workDir,
      List<String> jvmOptions,
      Map<String, String> config,
      Map<String, String> environment,
      Duration readyTimeout) {
    this.name = name;
    this.module = module;
    this.jar = jar;
    this.host = host;
    this.port = port;
    this.log = log;
    this.workDir = workDir;
    this.jvmOptions = List.copyOf(jvmOptions);
    this.config = new TreeMap<>(config);
    this.environment = new TreeMap<>(environment);
    this.readyTimeout = readyTimeout;
  }

  /** Its name in the stack, e.g. {@code extraction-worker-2}. */
  public String name() {
    return name;
  }

  /** The Maven module it runs, e.g. {@code extraction-worker}. */
  public String module() {
    return module;
  }

  public String baseUrl() {
    return "http://" + host + ":" + port;
  }

  public int port() {
    return port;
  }

  public Path log() {
    return log;
  }

  /**
   * The configuration it is started with (system properties, and the secret settings from its
   * owner-only file), for display and tests.
   */
  public Map<String, String> config() {
    return Map.copyOf(config);
  }

  /** The environment variables it is started with, on top of this JVM's. */
  public Map<String, String> environment() {
    return Map.copyOf(environment);
  }

  public synchronized boolean isRunning() {
    return process != null && process.isAlive();
  }

  /**
   * How many times it was launched: its executor id is {@code <name>.<incarnation>}, so what a
   * killed process started is told apart from what its successor started.
   */
  public synchronized int incarnation() {
    return incarnation;
  }

  /** The executor id ({@code workerId} in run events) of the current or last launch. */
  public synchronized String executorId() {
    return name + "." + incarnation;
  }

  /** The process id, or -1 when it is not running. */
  public synchronized long pid() {
    return isRunning() ? process.pid() : -1;
  }

  /** Starts the process and waits until {@code /q/health/ready} answers 200. */
  public void start() {
    launch();
    awaitReady();
  }

  /**
   * Starts the process with some settings changed for this launch only (the next {@link #start()}
   * uses the node's own configuration again), and waits until it is ready. {@code config} are
   * system properties; {@code environment} variables suit a setting a build may not have yet
   * (Quarkus rejects an unknown {@code backfill.*} property but ignores an unknown variable).
   */
  public void startWith(Map<String, String> config, Map<String, String> environment) {
    launch(config, environment);
    awaitReady();
  }

  /** Starts the process without waiting for it (see {@link #awaitReady()}). */
  public void launch() {
    launch(Map.of(), Map.of());
  }

  private synchronized void launch(
      Map<String, String> configOverrides, Map<String, String> environmentOverrides) {
    if (isRunning()) {
      return;
    }
    Map<String, String> config = new TreeMap<>(this.config);
    config.putAll(configOverrides);
    Map<String, String> environment = new TreeMap<>(this.environment);
    environment.putAll(environmentOverrides);
    List<String> command = new ArrayList<>();
    command.add(Java.binary());
    command.addAll(jvmOptions);
    incarnation++;
    command.add("-Dquarkus.http.port=" + port);
    Map<String, String> secrets = new TreeMap<>();
    config.forEach(
        (key, value) -> {
          String launched = value.replace(INCARNATION, String.valueOf(incarnation));
          if (SecretSettings.isSecret(key)) {
            secrets.put(key, launched);
          } else {
            command.add("-D" + key + "=" + launched);
          }
        });
    command.add("-jar");
    command.add(jar.toString());
    try {
      Directories.create(log.toAbsolutePath().getParent());
      SecretSettings.write(
          Directories.create(workDir).resolve("config").resolve("application.properties"), secrets);
      ProcessBuilder builder =
          new ProcessBuilder(command)
              .directory(Directories.create(workDir).toFile())
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
      builder.environment().putAll(environment);
      process = builder.start();
    } catch (IOException | RuntimeException e) {
      throw new StackStartException(name, "cannot launch " + jar + ": " + e.getMessage(), log, e);
    }
  }

  /** Waits until {@code /q/health/ready} answers 200; a clear failure otherwise. */
  public void awaitReady() {
    long started = System.nanoTime();
    long deadline = started + readyTimeout.toNanos();
    HttpRequest ready =
        HttpRequest.newBuilder(URI.create(baseUrl() + "/q/health/ready"))
            .timeout(Duration.ofSeconds(3))
            .build();
    String last = "not listening";
    while (System.nanoTime() < deadline) {
      Process current;
      synchronized (this) {
        current = process;
      }
      if (current == null) {
        throw new StackStartException(name, "it was stopped while starting", log, null);
      }
      if (!current.isAlive()) {
        throw new StackStartException(
            name, "the process exited with code " + current.exitValue(), log, null);
      }
      try {
        HttpResponse<String> answer = http.send(ready, HttpResponse.BodyHandlers.ofString());
        if (answer.statusCode() == 200) {
          LOG.log(
              Level.INFO,
              "{0} ready at {1} in {2} ms (log {3})",
              name,
              baseUrl(),
              TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started),
              log);
          return;
        }
        last = "/q/health/ready answered " + answer.statusCode() + ": " + answer.body();
      } catch (IOException e) {
        // Not listening yet: the port opens a few seconds after launch.
        last = "not listening (" + e.getClass().getSimpleName() + ")";
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new StackStartException(name, "interrupted while waiting for it", log, e);
      }
      LockSupport.parkNanos(Duration.ofMillis(250).toNanos());
    }
    kill();
    throw new StackStartException(
        name, "not ready within " + readyTimeout + "; last: " + last, log, null);
  }

  /** Graceful stop (SIGTERM: Quarkus shuts down), forcibly after 30 s. */
  public synchronized void stop() {
    if (process == null) {
      return;
    }
    if (frozen) {
      // A stopped process handles no SIGTERM: let it run so it can shut down.
      thaw();
    }
    process.destroy();
    try {
      if (!process.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
        LOG.log(Level.WARNING, "{0} did not stop within {1}, killing it", name, STOP_TIMEOUT);
        process.destroyForcibly().waitFor();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    }
    process = null;
    frozen = false;
  }

  /** Abrupt death (SIGKILL), as a crashed process: no shutdown hook runs. */
  public synchronized void kill() {
    if (process == null) {
      return;
    }
    try {
      process.destroyForcibly().waitFor();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted while killing " + name, e);
    }
    process = null;
    frozen = false;
  }

  /**
   * Freezes the process (SIGSTOP), as a long GC pause or a suspended VM would: it keeps its sockets
   * and state but runs nothing, sends no heartbeat, until {@link #thaw()}.
   */
  public synchronized void freeze() {
    signal("STOP");
    frozen = true;
  }

  /** Lets a frozen process run on (SIGCONT) from where it stopped. */
  public synchronized void thaw() {
    signal("CONT");
    frozen = false;
  }

  public synchronized boolean frozen() {
    return frozen;
  }

  private void signal(String signal) {
    if (!isRunning()) {
      throw new IllegalStateException(name + " is not running: cannot send SIG" + signal);
    }
    ProcessSignals.send(name, process.pid(), signal);
  }

  /** Whether {@code /q/health/ready} answers 200 now (one call, 3 s timeout). */
  public boolean ready() {
    return endpoints().ready();
  }

  /**
   * The sum of every series of a counter or gauge in the process's Prometheus {@code /q/metrics}
   * whose line starts with {@code name} (e.g. {@code backfill_worker_writes_fenced_total}); 0 when
   * the process exposes no such metric.
   */
  public double metric(String name) {
    return metric(name, "");
  }

  /**
   * As {@link #metric(String)}, only the series whose labels contain {@code labels}, e.g. {@code
   * outcome="replayed"}.
   */
  public double metric(String name, String labels) {
    return endpoints().metric(name, labels);
  }

  /** Stops (gracefully) and starts again on the same port; waits until ready. */
  public void restart() {
    stop();
    start();
  }

  /** The running process's {@code /version}: {service, version, buildSha, builtAt, startedAt}. */
  public JsonNode version() {
    return endpoints().version();
  }

  /** The build SHA the running process reports (from its /version). */
  public String buildSha() {
    return version().path("buildSha").asText("");
  }

  private NodeEndpoints endpoints() {
    return new NodeEndpoints(name, baseUrl(), http);
  }

  @Override
  public String toString() {
    return name + " at " + baseUrl() + " (log " + log + ")";
  }
}
