package io.backfill.testkit;

import io.backfill.stack.ServiceNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * One of Backfill's Quarkus applications running as its own process, started from the runnable jar
 * its module's build made ({@code <module>/target/quarkus-app/quarkus-run.jar}): what a deployment
 * runs. For tests that cross process boundaries — a service test against the outlook-simulator, or
 * a worker killed mid-chunk. The stack's {@link ServiceNode} in a temporary working directory.
 *
 * <p>The reactor builds the simulator before the services, so its jar exists when their tests run;
 * building one module alone needs {@code ./mvnw -pl outlook-simulator package} first.
 */
public final class ServiceProcess implements AutoCloseable {

  private static final Duration READY_TIMEOUT = Duration.ofSeconds(90);
  private static final List<String> JVM_OPTIONS =
      List.of("-Xmx384m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1");

  private final Path workDir;
  private final ServiceNode node;

  private ServiceProcess(String module, Map<String, String> config) {
    this.workDir = DataDirectory.create("backfill-" + module + "-");
    this.node =
        new ServiceNode(
            module,
            module,
            runnableJar(module),
            workDir.resolve(module + ".log"),
            workDir,
            JVM_OPTIONS,
            config,
            Map.of(),
            READY_TIMEOUT);
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

  /** Starts the process unless it runs, and waits until it is ready. */
  public void start() {
    if (node.isRunning()) {
      return;
    }
    node.start();
  }

  public String baseUrl() {
    return node.baseUrl();
  }

  public int port() {
    return node.port();
  }

  /** Where the process writes its output. */
  public Path log() {
    return node.log();
  }

  public boolean isRunning() {
    return node.isRunning();
  }

  /** Graceful stop (SIGTERM), forcibly after 30 s. */
  public void stop() {
    node.stop();
  }

  /** Abrupt death (SIGKILL), as a crashed process. */
  public void kill() {
    node.kill();
  }

  /** Stops the process and deletes its working directory (and log). */
  @Override
  public void close() {
    node.stop();
    DataDirectory.delete(workDir);
  }
}
