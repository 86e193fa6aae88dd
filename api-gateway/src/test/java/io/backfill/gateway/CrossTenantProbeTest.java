package io.backfill.gateway;

import static io.backfill.gateway.GatewayFixtures.ADMIN_TOKEN;
import static io.backfill.gateway.GatewayFixtures.SERVICE_TOKEN;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.backfill.contracts.event.JobCompleted;
import io.backfill.contracts.id.JobId;
import io.backfill.testkit.BackfillInfrastructure;
import io.backfill.testkit.TestProducer;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.path.json.JsonPath;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.jboss.logging.Logger;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Probes every endpoint of the gateway with every kind of caller, and with malformed, oversized and
 * extreme inputs. Tenant A owns a completed job, keys and a secret; each probe names A's ids and
 * asserts the exact status, that an error is a problem+json carrying that status, and that the body
 * names no id of a tenant the caller may not see. No probe may be answered with a 5xx.
 *
 * <p>A new endpoint is one line in {@link #ENDPOINTS}: it is then probed with every credential.
 */
@QuarkusTest
@WithTestResource(
    value = BackfillInfrastructure.class,
    scope = TestResourceScope.RESTRICTED_TO_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class CrossTenantProbeTest {

  private static final Logger LOG = Logger.getLogger(CrossTenantProbeTest.class);

  private static final String A = "probe-alpha";
  private static final String B = "probe-bravo";
  private static final String SUBMIT_KEY = "probe-submit";
  private static final String SUBMIT =
      "{\"mailbox\":\"ana@alpha.example\",\"from\":\"2024-01-01\",\"to\":\"2024-02-01\"}";
  private static final String JSON = "application/json";
  private static final int NOT_PROBED = -1;
  private static final String UNPARSEABLE = "unparseable request line: ";
  private static final String CHUNKED = "chunked ";

  /** Who may call an endpoint. */
  enum Role {
    TENANT,
    ADMIN,
    SERVICE,
    PUBLIC
  }

  /**
   * One endpoint. Path placeholders name tenant A's things: {@code {jobId}} (a completed job),
   * {@code {tenantId}}, {@code {keyId}} (a key of A used for nothing else), {@code {secret}} (a
   * name only written), {@code {kept}} (A's LLM key, which must survive every probe).
   *
   * @param expected the status for the caller it is for (A's key, the admin or service token)
   * @param otherTenant the status for tenant B's key naming A's things (tenant endpoints only)
   */
  record Endpoint(
      String method,
      String path,
      Role role,
      String body,
      Map<String, String> headers,
      int expected,
      int otherTenant) {

    static Endpoint of(String method, String path, Role role, int expected, int otherTenant) {
      return new Endpoint(method, path, role, null, Map.of(), expected, otherTenant);
    }

    Endpoint body(String json) {
      return new Endpoint(method, path, role, json, headers, expected, otherTenant);
    }

    Endpoint header(String name, String value) {
      Map<String, String> more = new LinkedHashMap<>(headers);
      more.put(name, value);
      return new Endpoint(method, path, role, body, more, expected, otherTenant);
    }
  }

  /** The gateway's public API (JAX-RS resources and /q/openapi); one line per endpoint. */
  static final List<Endpoint> ENDPOINTS =
      List.of(
          Endpoint.of("POST", "/api/v1/backfills", Role.TENANT, 202, 202)
              .body(SUBMIT)
              .header("Idempotency-Key", SUBMIT_KEY),
          Endpoint.of("GET", "/api/v1/backfills", Role.TENANT, 200, 200),
          Endpoint.of("GET", "/api/v1/backfills/{jobId}", Role.TENANT, 200, 404),
          Endpoint.of("POST", "/api/v1/backfills/{jobId}/pause", Role.TENANT, 409, 404),
          Endpoint.of("POST", "/api/v1/backfills/{jobId}/resume", Role.TENANT, 409, 404),
          Endpoint.of("POST", "/api/v1/backfills/{jobId}/cancel", Role.TENANT, 409, 404),
          Endpoint.of("GET", "/api/v1/backfills/{jobId}/events", Role.TENANT, 200, 404),
          Endpoint.of("PUT", "/api/v1/tenant/secrets/{secret}", Role.TENANT, 204, 204)
              .body("{\"value\":\"probe-value\"}"),
          Endpoint.of("DELETE", "/api/v1/tenant/secrets/{kept}", Role.TENANT, NOT_PROBED, 404),
          Endpoint.of("GET", "/api/v1/tenant/api-keys", Role.TENANT, 200, 200),
          Endpoint.of("DELETE", "/api/v1/tenant/api-keys/{keyId}", Role.TENANT, 204, 404),
          Endpoint.of("POST", "/api/v1/admin/tenants", Role.ADMIN, 409, NOT_PROBED)
              .body("{\"tenantId\":\"" + A + "\"}"),
          Endpoint.of("GET", "/api/v1/admin/tenants/{tenantId}", Role.ADMIN, 200, NOT_PROBED),
          Endpoint.of(
              "POST", "/api/v1/admin/tenants/{tenantId}/api-keys", Role.ADMIN, 201, NOT_PROBED),
          Endpoint.of(
              "GET", "/api/v1/admin/tenants/{tenantId}/api-keys", Role.ADMIN, 200, NOT_PROBED),
          Endpoint.of(
              "DELETE",
              "/api/v1/admin/tenants/{tenantId}/api-keys/{keyId}",
              Role.ADMIN,
              204,
              NOT_PROBED),
          Endpoint.of("GET", "/api/v1/admin/secrets/keys", Role.ADMIN, 200, NOT_PROBED),
          Endpoint.of("POST", "/api/v1/admin/secrets/rotate", Role.ADMIN, 200, NOT_PROBED),
          Endpoint.of("GET", "/api/v1/graph/consent", Role.TENANT, 200, 200),
          Endpoint.of("GET", "/api/v1/tenant/graph", Role.TENANT, 404, 404),
          Endpoint.of("GET", "/api/v1/graph/consent/callback", Role.PUBLIC, 400, NOT_PROBED),
          Endpoint.of("PUT", "/api/v1/admin/tenants/{tenantId}/graph-directory", Role.ADMIN, 204, 0)
              .body("{\"directoryId\":\"0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d\"}"),
          Endpoint.of(
              "DELETE", "/api/v1/admin/tenants/{tenantId}/graph-directory", Role.ADMIN, 204, 0),
          Endpoint.of("GET", "/api/v1/ops/lag", Role.ADMIN, 200, NOT_PROBED),
          Endpoint.of("GET", "/api/v1/ops/fleet", Role.ADMIN, 200, NOT_PROBED),
          Endpoint.of(
              "GET", "/internal/v1/tenants/{tenantId}/llm-credentials", Role.SERVICE, 200, 0),
          Endpoint.of(
              "GET", "/internal/v1/tenants/{tenantId}/graph-connection", Role.SERVICE, 404, 0),
          Endpoint.of("GET", "/internal/v1/tenants/{tenantId}", Role.SERVICE, 200, 0),
          // Suspended for the length of one line, then active again for the checks after.
          Endpoint.of("POST", "/api/v1/admin/tenants/{tenantId}/suspend", Role.ADMIN, 204, 0),
          Endpoint.of("POST", "/api/v1/admin/tenants/{tenantId}/reactivate", Role.ADMIN, 204, 0),
          Endpoint.of("GET", "/version", Role.PUBLIC, 200, NOT_PROBED));

  /** How a probe authenticates. */
  enum Credential {
    NONE,
    BASIC_SCHEME,
    EMPTY_BEARER,
    MALFORMED_KEY,
    UNKNOWN_KEY,
    REVOKED_KEY,
    OTHER_TENANT_KEY,
    OWNER_KEY,
    ADMIN_TOKEN,
    SERVICE_TOKEN;

    String header(World world) {
      return switch (this) {
        case NONE -> null;
        case BASIC_SCHEME ->
            "Basic " + Base64.getEncoder().encodeToString("probe:probe".getBytes());
        case EMPTY_BEARER -> "Bearer ";
        case MALFORMED_KEY -> "Bearer not a key at all";
        case UNKNOWN_KEY -> "Bearer bfk_" + "x".repeat(43);
        case REVOKED_KEY -> "Bearer " + world.revokedKey;
        case OTHER_TENANT_KEY -> "Bearer " + world.bKey;
        case OWNER_KEY -> "Bearer " + world.aKey;
        case ADMIN_TOKEN -> "Bearer " + GatewayFixtures.ADMIN_TOKEN;
        case SERVICE_TOKEN -> "Bearer " + GatewayFixtures.SERVICE_TOKEN;
      };
    }

    /** The status this caller gets from the endpoint. */
    int expectedAt(Endpoint endpoint) {
      if (endpoint.role == Role.PUBLIC) {
        return endpoint.expected;
      }
      boolean internal = endpoint.role == Role.SERVICE;
      return switch (this) {
        case NONE, BASIC_SCHEME, EMPTY_BEARER, MALFORMED_KEY, UNKNOWN_KEY, REVOKED_KEY -> 401;
        case SERVICE_TOKEN -> internal ? endpoint.expected : 401;
        case ADMIN_TOKEN -> internal ? 401 : endpoint.role == Role.ADMIN ? endpoint.expected : 403;
        case OWNER_KEY -> internal ? 401 : endpoint.role == Role.TENANT ? endpoint.expected : 403;
        case OTHER_TENANT_KEY ->
            internal ? 401 : endpoint.role == Role.TENANT ? endpoint.otherTenant : 403;
      };
    }

    /** Whose ids this caller may see in an answer from the endpoint. */
    List<String> mayNotSee(Endpoint endpoint, World world) {
      boolean entitled =
          (this == ADMIN_TOKEN && endpoint.role == Role.ADMIN)
              || (this == SERVICE_TOKEN && endpoint.role == Role.SERVICE);
      if (entitled) {
        return List.of();
      }
      List<String> ids = new ArrayList<>();
      if (this != OWNER_KEY) {
        ids.addAll(world.idsOfA());
      }
      if (this != OTHER_TENANT_KEY) {
        ids.addAll(world.idsOfB());
      }
      return ids;
    }
  }

  /** One request and the one answer it must get. */
  record Probe(
      String name,
      String method,
      String path,
      Credential credential,
      Endpoint endpoint,
      String contentType,
      byte[] body,
      Map<String, String> headers,
      int expected) {

    @Override
    public String toString() {
      return name;
    }
  }

  /** Tenant A's and tenant B's things, made once per run by the first probe. */
  static final class World {
    String aKey;
    String aKeyId;
    String victimKeyId;
    String revokedKey;
    String revokedKeyId;
    String bKey;
    String bKeyId;
    JobId aJob;

    List<String> idsOfA() {
      return List.of(
          A, aKeyId, victimKeyId, revokedKeyId, aJob.value(), JobId.derive(A, SUBMIT_KEY).value());
    }

    List<String> idsOfB() {
      return List.of(B, bKeyId, JobId.derive(B, SUBMIT_KEY).value());
    }

    String resolve(String template) {
      return template
          .replace("{jobId}", aJob.value())
          .replace("{tenantId}", A)
          .replace("{keyId}", victimKeyId)
          .replace("{secret}", "probe_put")
          .replace("{kept}", "openai_api_key");
    }
  }

  private static World world;
  private static final AtomicInteger PROBED = new AtomicInteger();
  private static final HttpClient HTTP =
      // HTTP/1.1: no h2c upgrade attempt, whose GOAWAY the JDK client may surface as an error.
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(5))
          .build();

  static Stream<Probe> probes() {
    List<Probe> probes = new ArrayList<>();
    for (Endpoint endpoint : ENDPOINTS) {
      for (Credential credential : Credential.values()) {
        int expected = credential.expectedAt(endpoint);
        if (expected == NOT_PROBED) {
          continue;
        }
        probes.add(
            new Probe(
                endpoint.method + " " + endpoint.path + " as " + credential,
                endpoint.method,
                endpoint.path,
                credential,
                endpoint,
                endpoint.body == null ? null : JSON,
                endpoint.body == null ? null : endpoint.body.getBytes(StandardCharsets.UTF_8),
                endpoint.headers,
                expected));
      }
    }
    probes.addAll(InputProbes.all());
    return probes.stream();
  }

  @ParameterizedTest(name = "{0}")
  @Order(1)
  @MethodSource("probes")
  void everyProbeGetsItsExactStatusAndNoOtherTenantsIds(Probe probe) throws Exception {
    World w = world();
    Answer response = send(probe, w);
    PROBED.incrementAndGet();
    String body = response.body();
    assertThat(response.status())
        .as("%s answered %s", probe.name, body)
        .isLessThan(500)
        .isEqualTo(probe.expected);
    // Two answers come from Quarkus itself, before any application code runs, with the right
    // status and no body: a request line java.net.URI cannot parse, and a streamed (chunked) body
    // that grows over the limit while it is read. Nothing of any tenant can be in them.
    boolean bare = probe.name.startsWith(UNPARSEABLE) || probe.name.startsWith(CHUNKED);
    if (response.status() >= 400 && !bare) {
      assertThat(response.contentType())
          .as("%s: an error is a problem", probe.name)
          .startsWith("application/problem+json");
      assertThat(new JsonPath(body).getInt("status")).isEqualTo(response.status());
    }
    Endpoint scope = probe.endpoint == null ? ownerScope() : probe.endpoint;
    for (String id : probe.credential.mayNotSee(scope, w)) {
      assertThat(body).as("%s names %s", probe.name, id).doesNotContain(id);
    }
  }

  @Test
  @Order(2)
  void theOwnersSecretAndJobSurviveEveryProbe() {
    World w = world();
    LOG.infof("%d probes answered as expected before this check", PROBED.get());
    assertThat(
            GatewayFixtures.asService()
                .get("/internal/v1/tenants/{tenantId}/llm-credentials", A)
                .jsonPath()
                .getString("apiKey"))
        .isEqualTo("sk-alpha-secret");
    assertThat(
            RestAssured.given()
                .auth()
                .oauth2(w.aKey)
                .get("/api/v1/backfills/{jobId}", w.aJob.value())
                .jsonPath()
                .getString("status"))
        .isEqualTo("completed");
  }

  private static Endpoint ownerScope() {
    return Endpoint.of("GET", "", Role.TENANT, 0, 0);
  }

  /** The answer's status, Content-Type and body. */
  record Answer(int status, String contentType, String body) {}

  private static Answer send(Probe probe, World w) throws Exception {
    String path = w.resolve(probe.path);
    // The internal endpoints are served on their own port only.
    int port = path.startsWith("/internal/") ? GatewayFixtures.internalPort() : RestAssured.port;
    URI uri;
    try {
      uri = URI.create("http://localhost:" + port + path);
    } catch (IllegalArgumentException notAUri) {
      // A path java.net.URI refuses (bad percent-encoding) is sent as raw bytes.
      return RawHttp.send(port, probe.method, path, probe.credential.header(w));
    }
    HttpRequest.Builder request =
        HttpRequest.newBuilder(uri)
            .timeout(Duration.ofSeconds(30))
            .method(
                probe.method,
                probe.body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : probe.name.startsWith(CHUNKED)
                        // No Content-Length: the size is only known while the body is read.
                        ? HttpRequest.BodyPublishers.ofInputStream(
                            () -> new java.io.ByteArrayInputStream(probe.body))
                        : HttpRequest.BodyPublishers.ofByteArray(probe.body));
    String authorization = probe.credential.header(w);
    if (authorization != null) {
      request.header("Authorization", authorization);
    }
    if (probe.contentType != null) {
      request.header("Content-Type", probe.contentType);
    }
    probe.headers.forEach(request::header);
    HttpResponse<String> response =
        HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    return new Answer(
        response.statusCode(),
        response.headers().firstValue("Content-Type").orElse(""),
        response.body());
  }

  private static synchronized World world() {
    if (world != null) {
      return world;
    }
    World w = new World();
    JsonPath a = createTenant(A);
    w.aKey = a.getString("apiKey");
    w.aKeyId = a.getString("keyId");
    w.victimKeyId = issueKey(A).getString("keyId");
    JsonPath revoked = issueKey(A);
    w.revokedKey = revoked.getString("apiKey");
    w.revokedKeyId = revoked.getString("keyId");
    GatewayFixtures.asAdmin()
        .delete("/api/v1/admin/tenants/{tenantId}/api-keys/{keyId}", A, w.revokedKeyId)
        .then()
        .statusCode(204);
    JsonPath b = createTenant(B);
    w.bKey = b.getString("apiKey");
    w.bKeyId = b.getString("keyId");

    RestAssured.given()
        .auth()
        .oauth2(w.aKey)
        .contentType(JSON)
        .body("{\"value\":\"sk-alpha-secret\"}")
        .put("/api/v1/tenant/secrets/openai_api_key")
        .then()
        .statusCode(204);
    String requestId = "probe-job";
    w.aJob = JobId.derive(A, requestId);
    try (TestProducer producer = GatewayFixtures.producer()) {
      GatewayFixtures.publish(producer, GatewayFixtures.accepted(A, requestId, "ana@alpha.ex"));
      GatewayFixtures.publish(
          producer, new JobCompleted(UUID.randomUUID(), 1, Instant.now(), A, w.aJob, 1, 5, 0));
    }
    await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () ->
                RestAssured.given()
                    .auth()
                    .oauth2(w.aKey)
                    .get("/api/v1/backfills/{jobId}", w.aJob.value())
                    .then()
                    .extract()
                    .path("status"),
            "completed"::equals);
    world = w;
    return w;
  }

  private static JsonPath createTenant(String tenantId) {
    return GatewayFixtures.asAdmin()
        .contentType(JSON)
        .body("{\"tenantId\":\"" + tenantId + "\"}")
        .post("/api/v1/admin/tenants")
        .then()
        .statusCode(201)
        .extract()
        .jsonPath();
  }

  private static JsonPath issueKey(String tenantId) {
    return GatewayFixtures.asAdmin()
        .post("/api/v1/admin/tenants/{tenantId}/api-keys", tenantId)
        .then()
        .statusCode(201)
        .extract()
        .jsonPath();
  }

  /** Malformed, oversized and extreme inputs, mostly as tenant A (entitled to the endpoint). */
  static final class InputProbes {

    private final List<Probe> probes = new ArrayList<>();

    static List<Probe> all() {
      InputProbes p = new InputProbes();
      p.submitBodies();
      p.otherBodies();
      p.listQueries();
      p.pathParameters();
      p.methodsAndMediaTypes();
      return p.probes;
    }

    private void add(
        String name,
        String method,
        String path,
        Credential credential,
        String contentType,
        byte[] body,
        Map<String, String> headers,
        int expected) {
      probes.add(
          new Probe(name, method, path, credential, null, contentType, body, headers, expected));
    }

    private void json(String name, String method, String path, String body, int expected) {
      add(
          name,
          method,
          path,
          path.startsWith("/api/v1/admin") ? Credential.ADMIN_TOKEN : Credential.OWNER_KEY,
          JSON,
          body.getBytes(StandardCharsets.UTF_8),
          Map.of(),
          expected);
    }

    private void get(String name, String path, int expected) {
      add(name, "GET", path, Credential.OWNER_KEY, null, null, Map.of(), expected);
    }

    private static String submit(String mailbox, String from, String to, String folder) {
      return "{\"mailbox\":"
          + mailbox
          + ",\"from\":"
          + from
          + ",\"to\":"
          + to
          + (folder == null ? "" : ",\"folder\":" + folder)
          + "}";
    }

    private static String q(String text) {
      return "\"" + text + "\"";
    }

    private void submitBodies() {
      String mailbox = q("ana@alpha.example");
      String from = q("2024-01-01");
      String to = q("2024-02-01");
      String[][] invalid = {
        {"from in the year +300000", submit(mailbox, q("+300000-01-01T00:00:00Z"), to, null)},
        {"to in the year +300000", submit(mailbox, from, q("+300000-01-01T00:00:00Z"), null)},
        {"from in the year -5000", submit(mailbox, q("-5000-01-01T00:00:00Z"), to, null)},
        {"to in the year -5000", submit(mailbox, from, q("-5000-01-01T00:00:00Z"), null)},
        {"from before 1970", submit(mailbox, q("1969-12-31"), to, null)},
        {"to in the year 10000", submit(mailbox, from, q("+10000-01-01"), null)},
        {"from as a huge year", submit(mailbox, q("+999999999-12-31T23:59:59Z"), to, null)},
        {"from as a month 13", submit(mailbox, q("2024-13-01"), to, null)},
        {"from as a number", submit(mailbox, "1704067200", to, null)},
        {"to as an object", submit(mailbox, from, "{}", null)},
        {"mailbox with NUL", submit(q("ana\\u0000@alpha.example"), from, to, null)},
        {"mailbox with CR LF", submit(q("ana\\r\\n@alpha.example"), from, to, null)},
        {"mailbox of 10,000 characters", submit(q("a".repeat(10_000) + "@x.io"), from, to, null)},
        {"mailbox as a number", submit("42", from, to, null)},
        {"mailbox as an array", submit("[\"ana@alpha.example\"]", from, to, null)},
        {"folder with NUL", submit(mailbox, from, to, q("in\\u0000box"))},
        {"folder with CR LF", submit(mailbox, from, to, q("inbox\\r\\nINFO forged"))},
        {"folder with a lone surrogate", submit(mailbox, from, to, q("in\\ud800box"))},
        {"folder with a lone low surrogate", submit(mailbox, from, to, q("\\udc00"))},
        {"folder of 10,000 characters", submit(mailbox, from, to, q("f".repeat(10_000)))},
        {"folder as a boolean", submit(mailbox, from, to, "true")},
        {"malformed JSON", "{\"mailbox\":"},
        {"a JSON array", "[1,2,3]"},
        {"JSON null", "null"},
        {"a JSON string", "\"hello\""},
        {"duplicate fields", "{\"mailbox\":\"a@b.io\",\"mailbox\":\"c@d.io\"}"},
        {"trailing tokens", submit(mailbox, from, to, null) + "{}"},
        {"an unknown field", "{\"mailbox\":\"a@b.io\",\"from\":\"2024-01-01\",\"x\":1}"},
        {"deeply nested JSON", "[".repeat(5_000) + "]".repeat(5_000)},
        {"body of 9,000 bytes", "{\"pad\":\"" + " ".repeat(9_000) + "\"}"},
      };
      for (String[] c : invalid) {
        json("submit: " + c[0], "POST", "/api/v1/backfills", c[1], 400);
      }
      add(
          "submit: body not UTF-8",
          "POST",
          "/api/v1/backfills",
          Credential.OWNER_KEY,
          JSON,
          new byte[] {'{', '"', (byte) 0xC3, (byte) 0x28, '"', ':', '1', '}'},
          Map.of(),
          400);
      add(
          "submit: empty body",
          "POST",
          "/api/v1/backfills",
          Credential.OWNER_KEY,
          JSON,
          new byte[0],
          Map.of(),
          400);
      add(
          "submit: text/plain",
          "POST",
          "/api/v1/backfills",
          Credential.OWNER_KEY,
          "text/plain",
          SUBMIT.getBytes(StandardCharsets.UTF_8),
          Map.of(),
          400);
      add(
          "submit: Idempotency-Key of 500 characters",
          "POST",
          "/api/v1/backfills",
          Credential.OWNER_KEY,
          JSON,
          SUBMIT.getBytes(StandardCharsets.UTF_8),
          Map.of("Idempotency-Key", "k".repeat(500)),
          400);
      add(
          "submit: Idempotency-Key with a space",
          "POST",
          "/api/v1/backfills",
          Credential.OWNER_KEY,
          JSON,
          SUBMIT.getBytes(StandardCharsets.UTF_8),
          Map.of("Idempotency-Key", "two words"),
          400);
      for (Credential credential :
          List.of(Credential.OWNER_KEY, Credential.NONE, Credential.OTHER_TENANT_KEY)) {
        add(
            "submit: body of 300 KB as " + credential,
            "POST",
            "/api/v1/backfills",
            credential,
            JSON,
            big(300 * 1024),
            Map.of(),
            413);
      }
    }

    private static byte[] big(int bytes) {
      byte[] body = new byte[bytes];
      java.util.Arrays.fill(body, (byte) ' ');
      body[0] = '{';
      body[bytes - 1] = '}';
      return body;
    }

    private void otherBodies() {
      String secret = "/api/v1/tenant/secrets/probe_put";
      json("secret: malformed JSON", "PUT", secret, "{\"value\":", 400);
      json("secret: value as an object", "PUT", secret, "{\"value\":{\"a\":1}}", 400);
      json("secret: value as an array", "PUT", secret, "{\"value\":[1]}", 400);
      json("secret: empty value", "PUT", secret, "{\"value\":\"\"}", 400);
      json(
          "secret: value too long", "PUT", secret, "{\"value\":\"" + "v".repeat(5000) + "\"}", 400);
      json("secret: a JSON array", "PUT", secret, "[]", 400);
      add(
          "secret: text/plain",
          "PUT",
          secret,
          Credential.OWNER_KEY,
          "text/plain",
          "{\"value\":\"x\"}".getBytes(StandardCharsets.UTF_8),
          Map.of(),
          415);
      add(
          CHUNKED + "submit: body of 300 KB",
          "POST",
          "/api/v1/backfills",
          Credential.OWNER_KEY,
          JSON,
          big(300 * 1024),
          Map.of(),
          413);
      add(
          CHUNKED + "secret: body of 300 KB",
          "PUT",
          secret,
          Credential.OWNER_KEY,
          JSON,
          big(300 * 1024),
          Map.of(),
          413);
      add(
          "secret: body of 300 KB",
          "PUT",
          secret,
          Credential.OWNER_KEY,
          JSON,
          big(300 * 1024),
          Map.of(),
          413);
      String tenants = "/api/v1/admin/tenants";
      json("tenant: id with NUL", "POST", tenants, "{\"tenantId\":\"ab\\u0000c\"}", 400);
      json("tenant: id with CR LF", "POST", tenants, "{\"tenantId\":\"ab\\r\\nc\"}", 400);
      json(
          "tenant: id of 100 characters",
          "POST",
          tenants,
          "{\"tenantId\":\"" + "a".repeat(100) + "\"}",
          400);
      json("tenant: id as a number", "POST", tenants, "{\"tenantId\":7}", 400);
      json(
          "tenant: name with NUL",
          "POST",
          tenants,
          "{\"tenantId\":\"n1\",\"name\":\"a\\u0000\"}",
          400);
      json(
          "tenant: name with a lone surrogate",
          "POST",
          tenants,
          "{\"tenantId\":\"n2\",\"name\":\"\\ud800\"}",
          400);
      json(
          "tenant: keyLabel with CR LF",
          "POST",
          tenants,
          "{\"tenantId\":\"n3\",\"keyLabel\":\"a\\nb\"}",
          400);
      json(
          "tenant: keyLabel with ESC",
          "POST",
          tenants,
          "{\"tenantId\":\"n4\",\"keyLabel\":\"\\u001b[31m\"}",
          400);
      json("tenant: malformed JSON", "POST", tenants, "{", 400);
      json(
          "tenant: body of 5,000 bytes",
          "POST",
          tenants,
          "{\"name\":\"" + "n".repeat(5000) + "\"}",
          400);
      json(
          "tenant key: label with NUL",
          "POST",
          tenants + "/" + A + "/api-keys",
          "{\"label\":\"\\u0000\"}",
          400);
      json(
          "tenant key: label as a number",
          "POST",
          tenants + "/" + A + "/api-keys",
          "{\"label\":1}",
          400);
      add(
          "tenant: body of 300 KB",
          "POST",
          tenants,
          Credential.ADMIN_TOKEN,
          JSON,
          big(300 * 1024),
          Map.of(),
          413);
    }

    private void listQueries() {
      String list = "/api/v1/backfills";
      for (String limit :
          List.of(
              "0",
              "-1",
              "2147483648",
              "-2147483649",
              "99999999999999999999",
              "abc",
              "1.5",
              "201")) {
        get("list: limit=" + limit, list + "?limit=" + limit, 400);
      }
      get("list: limit= (empty: the default)", list + "?limit=", 200);
      get("list: limit=1", list + "?limit=1", 200);
      get("list: limit=200", list + "?limit=200", 200);
      String uuid = UUID.randomUUID().toString();
      for (String[] c :
          new String[][] {
            {"not base64", "!!!"},
            {"base64 of junk", b64("junk")},
            {"year 300000", b64("9400000000000:0:" + uuid)},
            {"year -5000", b64("-220000000000:0:" + uuid)},
            {"epoch overflow", b64("99999999999999999999:0:" + uuid)},
            {"nanos overflow", b64("1:99999999999:" + uuid)},
            {"bad uuid", b64("1700000000:0:not-a-uuid")},
            {"NUL in it", b64("1700000000:0:\u0000")},
            {"200 characters", "A".repeat(200)},
          }) {
        get("list: cursor " + c[0], list + "?cursor=" + c[1], 400);
      }
      get("list: cursor of 3,000 characters", list + "?cursor=" + "A".repeat(3_000), 400);
      get("list: a valid cursor", list + "?cursor=" + b64("1700000000:0:" + uuid), 200);
      get("list: status unknown", list + "?status=bogus", 400);
      get("list: status with NUL", list + "?status=run%00ning", 400);
      get("list: mailbox with NUL", list + "?mailbox=ana%00@alpha.example", 400);
      get("list: mailbox with CR LF", list + "?mailbox=ana%0D%0A@alpha.example", 400);
      get("list: mailbox with a lone surrogate", list + "?mailbox=%ED%A0%80", 400);
      get("list: mailbox of 2,000 characters", list + "?mailbox=" + "m".repeat(2_000), 400);
      get("list: parameter name with NUL", list + "?a%00b=1", 400);
      get("list: 40 parameters", list + "?" + "p=1&".repeat(39) + "p=1", 400);
      get("list: an unknown parameter", list + "?foo=bar", 200);
      get("list: a known mailbox", list + "?mailbox=ANA@ALPHA.EXAMPLE", 200);
    }

    private static String b64(String raw) {
      return Base64.getUrlEncoder()
          .withoutPadding()
          .encodeToString(raw.getBytes(StandardCharsets.UTF_8));
    }

    private void pathParameters() {
      String job = "/api/v1/backfills/";
      get("job: NUL", job + "%00", 400);
      get("job: CR LF", job + "%0D%0A", 400);
      get("job: DEL", job + "%7F", 400);
      get("job: a lone surrogate", job + "%ED%A0%80", 400);
      get("job: not a UUID", job + "not-a-job", 400);
      get("job: an upper-case UUID", job + UUID.randomUUID().toString().toUpperCase(), 400);
      get("job: 600 characters", job + "j".repeat(600), 400);
      get("job: an unknown job", job + UUID.randomUUID(), 404);
      get(UNPARSEABLE + "bad percent-encoding", job + "%zz", 400);
      get(UNPARSEABLE + "a truncated percent-encoding", job + "abc%4", 400);
      get("job events: NUL", job + "%00/events", 400);
      get("job events: an unknown job", job + UUID.randomUUID() + "/events", 404);
      add("pause: NUL", "POST", job + "%00/pause", Credential.OWNER_KEY, null, null, Map.of(), 400);
      add(
          "pause: not a UUID",
          "POST",
          job + "x/pause",
          Credential.OWNER_KEY,
          null,
          null,
          Map.of(),
          400);
      add(
          "cancel: an unknown job",
          "POST",
          job + UUID.randomUUID() + "/cancel",
          Credential.OWNER_KEY,
          null,
          null,
          Map.of(),
          404);
      add(
          "secret: name with NUL",
          "PUT",
          "/api/v1/tenant/secrets/a%00b",
          Credential.OWNER_KEY,
          JSON,
          "{\"value\":\"x\"}".getBytes(StandardCharsets.UTF_8),
          Map.of(),
          400);
      add(
          "secret: name with a space",
          "PUT",
          "/api/v1/tenant/secrets/a%20b",
          Credential.OWNER_KEY,
          JSON,
          "{\"value\":\"x\"}".getBytes(StandardCharsets.UTF_8),
          Map.of(),
          400);
      add(
          "secret: name of 100 characters",
          "DELETE",
          "/api/v1/tenant/secrets/" + "s".repeat(100),
          Credential.OWNER_KEY,
          null,
          null,
          Map.of(),
          400);
      add(
          "tenant key: id with NUL",
          "DELETE",
          "/api/v1/tenant/api-keys/%00",
          Credential.OWNER_KEY,
          null,
          null,
          Map.of(),
          400);
      add(
          "tenant key: not a UUID",
          "DELETE",
          "/api/v1/tenant/api-keys/not-a-key",
          Credential.OWNER_KEY,
          null,
          null,
          Map.of(),
          404);
      add(
          "tenant key: an unknown key",
          "DELETE",
          "/api/v1/tenant/api-keys/" + UUID.randomUUID(),
          Credential.OWNER_KEY,
          null,
          null,
          Map.of(),
          404);
      String admin = "/api/v1/admin/tenants/";
      add(
          "admin tenant: NUL",
          "GET",
          admin + "%00",
          Credential.ADMIN_TOKEN,
          null,
          null,
          Map.of(),
          400);
      add(
          "admin tenant: CR LF",
          "GET",
          admin + "a%0D%0Ab",
          Credential.ADMIN_TOKEN,
          null,
          null,
          Map.of(),
          400);
      add(
          "admin tenant: unknown",
          "GET",
          admin + "nobody",
          Credential.ADMIN_TOKEN,
          null,
          null,
          Map.of(),
          404);
      add(
          "admin tenant: 600 characters",
          "GET",
          admin + "t".repeat(600),
          Credential.ADMIN_TOKEN,
          null,
          null,
          Map.of(),
          400);
      add(
          "admin keys: unknown tenant",
          "GET",
          admin + "nobody/api-keys",
          Credential.ADMIN_TOKEN,
          null,
          null,
          Map.of(),
          404);
      add(
          "admin key: unknown key",
          "DELETE",
          admin + A + "/api-keys/" + UUID.randomUUID(),
          Credential.ADMIN_TOKEN,
          null,
          null,
          Map.of(),
          404);
      add(
          "admin key: key id with NUL",
          "DELETE",
          admin + A + "/api-keys/%00",
          Credential.ADMIN_TOKEN,
          null,
          null,
          Map.of(),
          400);
      add(
          "internal: tenant with NUL",
          "GET",
          "/internal/v1/tenants/%00/llm-credentials",
          Credential.SERVICE_TOKEN,
          null,
          null,
          Map.of(),
          400);
      add(
          "internal: tenant with CR LF",
          "GET",
          "/internal/v1/tenants/a%0Ab/graph-connection",
          Credential.SERVICE_TOKEN,
          null,
          null,
          Map.of(),
          400);
      add(
          "internal: unknown tenant",
          "GET",
          "/internal/v1/tenants/nobody/llm-credentials",
          Credential.SERVICE_TOKEN,
          null,
          null,
          Map.of(),
          404);
      add(
          "ops: lag group with NUL",
          "GET",
          "/api/v1/ops/lag?group=%00",
          Credential.ADMIN_TOKEN,
          null,
          null,
          Map.of(),
          400);
      add(
          "ops: lag group of 2,000 characters",
          "GET",
          "/api/v1/ops/lag?group=" + "g".repeat(2_000),
          Credential.ADMIN_TOKEN,
          null,
          null,
          Map.of(),
          400);
      add(
          "unknown path",
          "GET",
          "/api/v1/nothing-here",
          Credential.OWNER_KEY,
          null,
          null,
          Map.of(),
          404);
      add(
          "unknown path without a key",
          "GET",
          "/api/v1/nothing-here",
          Credential.NONE,
          null,
          null,
          Map.of(),
          404);
    }

    private void methodsAndMediaTypes() {
      String[][] wrong = {
        {"PATCH", "/api/v1/backfills"},
        {"DELETE", "/api/v1/backfills"},
        {"DELETE", "/api/v1/backfills/{jobId}"},
        {"GET", "/api/v1/backfills/{jobId}/pause"},
        {"PUT", "/api/v1/backfills/{jobId}/cancel"},
        {"GET", "/api/v1/tenant/secrets/probe_put"},
        {"POST", "/api/v1/tenant/api-keys"},
        {"PUT", "/api/v1/admin/tenants"},
        {"POST", "/api/v1/admin/secrets/keys"},
        {"GET", "/api/v1/admin/secrets/rotate"},
        {"POST", "/api/v1/ops/fleet"},
        {"DELETE", "/internal/v1/tenants/{tenantId}/llm-credentials"},
        {"PUT", "/version"},
      };
      for (String[] c : wrong) {
        add(c[0] + " " + c[1], c[0], c[1], Credential.OWNER_KEY, null, null, Map.of(), 405);
      }
      add(
          "list: Accept text/html",
          "GET",
          "/api/v1/backfills",
          Credential.OWNER_KEY,
          null,
          null,
          Map.of("Accept", "text/html"),
          406);
    }
  }
}
