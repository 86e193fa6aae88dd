package io.backfill.deploy;

import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * Debian's prometheus binary scraping the services of a {@link RunningStack} every second, with the
 * project's alert rules loaded; queried through its HTTP API.
 */
final class PrometheusServer implements AutoCloseable {

  private static final Path BINARY = Path.of("/usr/bin/prometheus");
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  private final Path directory;
  private final int port;
  private final Process process;

  private PrometheusServer(Path directory, int port, Process process) {
    this.directory = directory;
    this.port = port;
    this.process = process;
  }

  static boolean binaryInstalled() {
    return Files.isExecutable(BINARY);
  }

  static PrometheusServer start(RunningStack stack) {
    try {
      Path directory = Files.createTempDirectory("backfill-prometheus-");
      StringBuilder config = new StringBuilder();
      config.append("global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\n");
      config
          .append("rule_files:\n  - ")
          .append(Repository.file("deploy/prometheus/rules").resolve("*.yml"))
          .append("\nscrape_configs:\n");
      // Job names are the service names, as in deploy/prometheus/prometheus.yml.
      stack
          .processes()
          .forEach(
              (name, process) ->
                  config
                      .append("  - job_name: ")
                      .append(name)
                      .append("\n    metrics_path: /q/metrics\n    static_configs:\n")
                      .append("      - targets: [\"127.0.0.1:")
                      .append(process.port())
                      .append("\"]\n"));
      Files.writeString(directory.resolve("prometheus.yml"), config);
      int port = freePort();
      Process process =
          new ProcessBuilder(
                  BINARY.toString(),
                  "--config.file=" + directory.resolve("prometheus.yml"),
                  "--storage.tsdb.path=" + directory.resolve("data"),
                  "--web.listen-address=127.0.0.1:" + port)
              .redirectErrorStream(true)
              .redirectOutput(new File(directory.resolve("prometheus.log").toString()))
              .start();
      PrometheusServer server = new PrometheusServer(directory, port, process);
      await("prometheus ready")
          .atMost(Duration.ofSeconds(60))
          .pollInterval(Duration.ofMillis(500))
          .ignoreExceptions()
          .until(() -> server.get("/-/ready").statusCode() == 200);
      return server;
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot start prometheus", e);
    }
  }

  private static int freePort() throws IOException {
    try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  /** The result vector of an instant query (fails on a query error). */
  List<JsonNode> query(String expression) {
    HttpResponse<String> response =
        get("/api/v1/query?query=" + URLEncoder.encode(expression, StandardCharsets.UTF_8));
    JsonNode body = parse(response.body());
    if (!"success".equals(body.path("status").asText())) {
      throw new IllegalStateException(expression + " → " + response.body());
    }
    List<JsonNode> result = new ArrayList<>();
    body.at("/data/result").forEach(result::add);
    return result;
  }

  /** Every loaded rule's health (ok, err, unknown) by name. */
  Map<String, String> ruleHealth() {
    Map<String, String> health = new TreeMap<>();
    for (JsonNode group : parse(get("/api/v1/rules").body()).at("/data/groups")) {
      for (JsonNode rule : group.get("rules")) {
        health.put(
            rule.get("name").asText(),
            rule.get("health").asText() + " " + rule.path("lastError").asText());
      }
    }
    health.replaceAll((name, value) -> value.trim());
    return health;
  }

  private static JsonNode parse(String body) {
    try {
      return Repository.JSON.readTree(body);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private HttpResponse<String> get(String path) {
    HttpRequest request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
            .timeout(Duration.ofSeconds(10))
            .build();
    try {
      return http.send(request, HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new UncheckedIOException("GET " + path + " from prometheus failed", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted", e);
    }
  }

  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    }
    try (var files = Files.walk(directory)) {
      files.sorted(java.util.Comparator.reverseOrder()).map(Path::toFile).forEach(File::delete);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot delete " + directory, e);
    }
  }
}
