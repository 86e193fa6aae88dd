package io.backfill.deploy;

import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.backfill.testkit.KafkaBroker;
import io.backfill.testkit.Postgres;
import io.backfill.testkit.ServiceProcess;
import io.backfill.testkit.TestDatabase;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.jboss.logging.Logger;

/**
 * The four services and the simulator running as processes from their built jars, on the testkit's
 * broker and a fresh database, with one small real backfill driven through them so the meters that
 * appear only after work (counters with labels) are exported too.
 */
final class RunningStack implements AutoCloseable {

  private static final Logger LOG = Logger.getLogger(RunningStack.class);
  private static final SecureRandom RANDOM = new SecureRandom();
  // Random per run, as an operator's would be: the gateway refuses short or well-known credentials.
  static final String ADMIN_TOKEN = randomToken();
  private static final String SERVICE_TOKEN = randomToken();
  // A GUID, as Entra's directory ids are (the gateway binds nothing else).
  static final String DIRECTORY = "4b6f0a53-1c0e-4d2b-9a55-c0475050c0de";
  static final String MAILBOX = "alice@contoso.com";
  static final List<String> SERVICES =
      List.of("api-gateway", "ingest-fetcher", "extraction-worker", "heartbeat-monitor");

  private static final ObjectMapper JSON = new ObjectMapper();
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final TestDatabase database;
  private final KafkaBroker broker;
  private final Map<String, ServiceProcess> processes = new LinkedHashMap<>();

  private RunningStack() {
    broker = KafkaBroker.shared();
    database = Postgres.instance().createDatabase("deploy_checks");
  }

  static RunningStack start() {
    RunningStack stack = new RunningStack();
    try {
      stack.startAll();
    } catch (RuntimeException e) {
      stack.close();
      throw e;
    }
    return stack;
  }

  private void startAll() {
    ServiceProcess simulator =
        ServiceProcess.start(
            "outlook-simulator",
            Map.of(
                // 250 messages: three Graph pages, so three chunks and a multi-page fetch.
                "backfill.simulator.mailboxes",
                MAILBOX + "=250;seed=7;tenant=" + DIRECTORY,
                "backfill.simulator.mailbox-end",
                "2026-01-01T00:00:00Z",
                // The operator's multi-tenant app, to which the mailbox's directory consented.
                "backfill.simulator.graph.apps.backfill.client-id",
                "backfill-app",
                "backfill.simulator.graph.apps.backfill.client-secret",
                "backfill-secret",
                "backfill.simulator.graph.tenants." + DIRECTORY + ".consented-apps",
                "backfill-app"));
    processes.put("outlook-simulator", simulator);
    // Chosen now: the fetcher asks the gateway's internal port for tenants and their directories.
    int internalPort = freePort();
    String internalUrl = "http://127.0.0.1:" + internalPort;

    Map<String, String> fetcher = common();
    fetcher.put("backfill.graph.base-url", simulator.baseUrl());
    fetcher.put("backfill.graph.connections.source", "gateway");
    fetcher.put("backfill.graph.connections.login-url", simulator.baseUrl());
    fetcher.put("backfill.graph.connections.service-token", SERVICE_TOKEN);
    fetcher.put("quarkus.rest-client.backfill-gateway.url", internalUrl);
    fetcher.put("quarkus.oidc-client.auth-server-url", simulator.baseUrl() + "/" + DIRECTORY);
    fetcher.put("quarkus.oidc-client.client-id", "backfill-app");
    fetcher.put("quarkus.oidc-client.credentials.client-secret.value", "backfill-secret");
    // Acks can lag seconds on a loaded machine; self-fencing is not what these checks test.
    fetcher.put("backfill.fetcher.self-fence-after-intervals", "10");
    processes.put("ingest-fetcher", ServiceProcess.start("ingest-fetcher", fetcher));

    Map<String, String> worker = common();
    worker.put("backfill.worker.stale-after-intervals", "10");
    // Tenants' LLM credentials from the gateway's internal port (this tenant has none).
    worker.put("backfill.worker.credentials.gateway-url", internalUrl);
    worker.put("backfill.worker.credentials.service-token", SERVICE_TOKEN);
    processes.put("extraction-worker", ServiceProcess.start("extraction-worker", worker));

    Map<String, String> monitor = common();
    monitor.put("backfill.monitor.reaper.stats-interval", "1s");
    processes.put("heartbeat-monitor", ServiceProcess.start("heartbeat-monitor", monitor));

    Map<String, String> gateway = common();
    gateway.put("backfill.gateway.admin-token", ADMIN_TOKEN);
    gateway.put("backfill.gateway.service-token", SERVICE_TOKEN);
    gateway.put("backfill.gateway.secrets.master-key", randomMasterKey());
    // A free port, not the fixed default, for the internal API: other processes share this machine.
    gateway.put("backfill.gateway.internal.port", String.valueOf(internalPort));
    gateway.put("backfill.gateway.ops.lag-refresh-interval", "1s");
    gateway.put("backfill.gateway.ops.peer-poll-interval", "2s");
    List<String> peers = new ArrayList<>();
    processes.forEach(
        (name, process) -> {
          if (!name.equals("outlook-simulator")) {
            peers.add(process.baseUrl());
          }
        });
    gateway.put("backfill.gateway.ops.peers", String.join(",", peers));
    processes.put("api-gateway", ServiceProcess.start("api-gateway", gateway));
  }

  private Map<String, String> common() {
    Map<String, String> config = new HashMap<>();
    config.put("kafka.bootstrap.servers", broker.bootstrapServers());
    config.put("quarkus.datasource.jdbc.url", database.jdbcUrl());
    config.put("quarkus.datasource.username", database.username());
    config.put("quarkus.datasource.password", database.password());
    return config;
  }

  /** 48 random bytes, base64url: 64 characters, well above the gateway's minimum of 32. */
  static String randomToken() {
    byte[] bytes = new byte[48];
    RANDOM.nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  /** A master key as the operator makes one: base64 of 32 random bytes. */
  static String randomMasterKey() {
    byte[] key = new byte[32];
    RANDOM.nextBytes(key);
    return Base64.getEncoder().encodeToString(key);
  }

  static int freePort() {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException("No free port on the loopback interface", e);
    }
  }

  TestDatabase database() {
    return database;
  }

  /** The process of a service or the simulator. */
  ServiceProcess process(String name) {
    return processes.get(name);
  }

  Map<String, ServiceProcess> processes() {
    return processes;
  }

  /**
   * Through the gateway, as a client would: the admin creates a tenant and its key, the tenant
   * submits a backfill of the simulator's mailbox, and the job is followed to completed.
   */
  String backfillOneMailbox() {
    String gateway = processes.get("api-gateway").baseUrl();
    JsonNode tenant =
        post(gateway + "/api/v1/admin/tenants", ADMIN_TOKEN, "{\"tenantId\":\"contoso\"}", 201);
    String apiKey = tenant.get("apiKey").asText();
    put(
        gateway + "/api/v1/admin/tenants/contoso/graph-directory",
        ADMIN_TOKEN,
        "{\"directoryId\":\"" + DIRECTORY + "\"}",
        204);
    JsonNode submitted =
        post(
            gateway + "/api/v1/backfills",
            apiKey,
            "{\"mailbox\":\""
                + MAILBOX
                + "\",\"from\":\"2025-01-01T00:00:00Z\",\"to\":\"2026-01-01T00:00:00Z\"}",
            202);
    String jobId = submitted.get("jobId").asText();
    LOG.infof("submitted job %s", jobId);
    await("job " + jobId + " completed")
        .atMost(Duration.ofMinutes(3))
        .pollInterval(Duration.ofSeconds(1))
        .until(() -> "completed".equals(get(gateway + "/api/v1/backfills/" + jobId, apiKey)));
    return jobId;
  }

  private String get(String url, String token) throws IOException, InterruptedException {
    HttpRequest request =
        HttpRequest.newBuilder(URI.create(url))
            .timeout(Duration.ofSeconds(10))
            .header("Authorization", "Bearer " + token)
            .build();
    HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() != 200) {
      return "http " + response.statusCode();
    }
    return JSON.readTree(response.body()).path("status").asText();
  }

  private JsonNode post(String url, String token, String body, int expected) {
    return send("POST", url, token, body, expected);
  }

  private JsonNode put(String url, String token, String body, int expected) {
    return send("PUT", url, token, body, expected);
  }

  private JsonNode send(String method, String url, String token, String body, int expected) {
    HttpRequest request =
        HttpRequest.newBuilder(URI.create(url))
            .timeout(Duration.ofSeconds(30))
            .header("Authorization", "Bearer " + token)
            .header("Content-Type", "application/json")
            .method(method, HttpRequest.BodyPublishers.ofString(body))
            .build();
    try {
      HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
      if (response.statusCode() != expected) {
        throw new IllegalStateException(
            method + " " + url + " answered " + response.statusCode() + ": " + response.body());
      }
      return response.body().isBlank() ? JSON.createObjectNode() : JSON.readTree(response.body());
    } catch (IOException e) {
      throw new IllegalStateException(method + " " + url + " failed", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted: " + method + " " + url, e);
    }
  }

  /** The Prometheus text a service exports now. */
  String scrape(String name) {
    HttpRequest request =
        HttpRequest.newBuilder(URI.create(processes.get(name).baseUrl() + "/q/metrics"))
            .timeout(Duration.ofSeconds(10))
            .header("Accept", "text/plain")
            .build();
    try {
      HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
      if (response.statusCode() != 200) {
        throw new IllegalStateException(name + " /q/metrics answered " + response.statusCode());
      }
      return response.body();
    } catch (IOException e) {
      throw new IllegalStateException("Scraping " + name + " failed", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted while scraping " + name, e);
    }
  }

  /** Metric family names (sample names) in one exposition. */
  static Set<String> sampleNames(String exposition) {
    Set<String> names = new TreeSet<>();
    for (String line : exposition.split("\n")) {
      if (line.isBlank() || line.startsWith("#")) {
        continue;
      }
      int end = 0;
      while (end < line.length() && line.charAt(end) != '{' && line.charAt(end) != ' ') {
        end++;
      }
      names.add(line.substring(0, end));
    }
    return names;
  }

  @Override
  public void close() {
    List<String> names = new ArrayList<>(processes.keySet());
    java.util.Collections.reverse(names);
    for (String name : names) {
      try {
        processes.get(name).close();
      } catch (RuntimeException e) {
        LOG.warnf(e, "could not stop %s", name);
      }
    }
    database.close();
  }
}
