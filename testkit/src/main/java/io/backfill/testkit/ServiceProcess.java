package io.backfill.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * One of Backfill's Quarkus applications running as its own process, started from the runnable jar
 * its module's build made ({@code <module>/target/quarkus-app/quarkus-run.jar}): what a deployment
 * runs. For tests that cross process boundaries — a service test against the outlook-simulator, or
 * a worker killed mid-chunk.
 *
 * <p>The reactor builds the simulator before the services, so its jar exists when their tests run;
 * building one module alone needs {@code ./mvnw -pl outlook-simulator package} first.
 */
public final class ServiceProcess implements AutoCloseable {

  private static final Logger LOG = Logger.getLogger(ServiceProcess.class);
  private static final Duration READY_TIMEOUT = Duration.ofSeconds(90);
  private static final Duration STOP_TIMEOUT = Duration.ofSeconds(30);
  private static final List<String> JVM_OPTIONS =
      List.of("-Xmx384m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1");

  private final String module;
  private final int port;
  private final Path workDir;
  private final Path log;
  private final Map<String, String> config;
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  private Process process;

  private ServiceProcess(String module, Map<String, String> config) {
    this.module = module;
    this.port = FreePort.pick();
    this.workDir = DataDirectory.create("backfill-" + module + "-");
    this.log = workDir.resolve(module + ".log");
    this.config = new TreeMap<>(config);
  }

  /**
   * Starts the module's application with the given configuration (as system properties) on a free
   * port, and waits until {@code /q/health/ready} answers 200.
   */
  public static ServiceProcess start(String module, Map<String, String> config) {
    ServiceProcess service = new ServiceProcess(module, config);
    service.start();
    return service;
  }

  /** The runnable jar of a module, or a clear failure saying how to build it. */
  public static Path runnableJar(String module) {
    Path root = Path.of(System.getProperty("backfill.project.root", "..")).toAbsolutePath();
    Path jar = root.resolve(module).resolve("target/quarkus-app/quarkus-run.jar").normalize();
    if (!Files.isRegularFile(jar)) {
      throw new IllegalStateException(
          jar + " does not exist: build it first (./mvnw -B -pl " + module + " package)");
    }
    return jar;
  }

  public synchronized void start() {
    if (isRunning()) {
      return;
    }
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(JVM_OPTIONS);
    command.add("-Dquarkus.http.port=" + port);
    config.forEach((key, value) -> command.add("-D" + key + "=" + value));
    command.add("-jar");
    command.add(runnableJar(module).toString());
    long started = System.nanoTime();
    try {
      process =
          new ProcessBuilder(command)
              .directory(workDir.toFile())
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
              .start();
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot launch " + module + ": " + command, e);
    }
    awaitReady();
    LOG.infof(
        "%s ready at %s in %d ms (log %s)",
        module, baseUrl(), TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started), log);
  }

  public String baseUrl() {
    return "http://127.0.0.1:" + port;
  }

  public int port() {
    return port;
  }

  /** Where the process writes its output. */
  public Path log() {
    return log;
  }

  public synchronized boolean isRunning() {
    return process != null && process.isAlive();
  }

  /** Graceful stop (SIGTERM), forcibly after 30 s. */
  public synchronized void stop() {
    if (process == null) {
      return;
    }
    process.destroy();
    try {
      if (!process.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
        LOG.warnf("%s did not stop within %s, killing it", module, STOP_TIMEOUT);
        process.destroyForcibly().waitFor();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    }
    process = null;
  }

  /** Abrupt death (SIGKILL), as a crashed process. */
  public synchronized void kill() {
    if (process == null) {
      return;
    }
    try {
      process.destroyForcibly().waitFor();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted while killing " + module, e);
    }
    process = null;
  }

  /** Stops the process and deletes its working directory (and log). */
  @Override
  public synchronized void close() {
    stop();
    DataDirectory.delete(workDir);
  }

  private void awaitReady() {
    long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
    HttpRequest ready =
        HttpRequest.newBuilder(URI.create(baseUrl() + "/q/health/ready"))
            .timeout(Duration.ofSeconds(2))
            .build();
    int lastStatus = -1;
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException(
            module
                + " exited with "
                + process.exitValue()
                + " before it was ready; log tail:\n"
                + DataDirectory.tail(log, 4_000));
      }
      try {
        lastStatus = http.send(ready, HttpResponse.BodyHandlers.discarding()).statusCode();
        if (lastStatus == 200) {
          return;
        }
      } catch (IOException e) {
        // Not listening yet: the port opens a few seconds after launch.
        lastStatus = -1;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("Interrupted while waiting for " + module, e);
      }
      java.util.concurrent.locks.LockSupport.parkNanos(Duration.ofMillis(200).toNanos());
    }
    kill();
    throw new IllegalStateException(
        module
            + " was not ready within "
            + READY_TIMEOUT
            + " (last /q/health/ready status "
            + lastStatus
            + "); log tail:\n"
            + DataDirectory.tail(log, 4_000));
  }
}
