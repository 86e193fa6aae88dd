package io.backfill.gateway;

import static io.backfill.gateway.GatewayFixtures.as;
import static io.backfill.gateway.GatewayFixtures.asAdmin;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import io.agroal.api.AgroalDataSource;
import io.backfill.gateway.domain.MasterKeyring;
import io.backfill.testkit.BackfillInfrastructure;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Listing and revoking API keys, creating tenants as a CLI does, and master-key rotation. */
@QuarkusTest
@WithTestResource(
    value = BackfillInfrastructure.class,
    scope = TestResourceScope.RESTRICTED_TO_CLASS)
class ApiKeysAndMasterKeysTest {

  /** The %test profile's keys: the single old key (id default) and k2, which seals. */
  private static final String OLD_KEY = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";

  private static final String NEW_KEY = "ICEiIyQlJicoKSorLC0uLzAxMjM0NTY3ODk6Ozw9Pj8=";

  @Inject AgroalDataSource dataSource;

  @BeforeAll
  static void freshKeys() {
    GatewayFixtures.forgetKeys();
  }

  private static JsonPath createTenant(String tenantId, String keyLabel) {
    return asAdmin()
        .contentType("application/json")
        .body(Map.of("tenantId", tenantId, "name", tenantId + " Ltd", "keyLabel", keyLabel))
        .post("/api/v1/admin/tenants")
        .then()
        .statusCode(201)
        .extract()
        .jsonPath();
  }

  private static JsonPath addKey(String tenantId, String label) {
    return asAdmin()
        .contentType("application/json")
        .body(Map.of("label", label))
        .post("/api/v1/admin/tenants/{tenantId}/api-keys", tenantId)
        .then()
        .statusCode(201)
        .extract()
        .jsonPath();
  }

  private static String sha256(String key) throws Exception {
    return HexFormat.of()
        .formatHex(
            MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8)));
  }

  @Test
  void theOperatorListsATenantsKeysWithoutKeyOrHashAndARevokedKeyIsRefusedAtOnce()
      throws Exception {
    JsonPath first = createTenant("keyring", "ci pipeline");
    JsonPath second = addKey("keyring", "laptop");
    String firstKey = first.getString("apiKey");
    String secondKey = second.getString("apiKey");

    Response listed = asAdmin().get("/api/v1/admin/tenants/{tenantId}/api-keys", "keyring");
    listed.then().statusCode(200).body("tenantId", equalTo("keyring"));
    JsonPath keys = listed.jsonPath();
    assertThat(keys.getList("keys.keyId"))
        .containsExactly(first.getString("keyId"), second.getString("keyId"));
    assertThat(keys.getList("keys.label")).containsExactly("ci pipeline", "laptop");
    assertThat(keys.getList("keys.prefix", String.class))
        .containsExactly(firstKey.substring(0, 10), secondKey.substring(0, 10));
    assertThat(keys.getList("keys.createdAt")).doesNotContainNull();
    assertThat(keys.getList("keys.lastUsedAt")).containsOnlyNulls();
    assertThat(keys.getList("keys.revokedAt")).containsOnlyNulls();
    assertThat(listed.asString())
        .doesNotContain(firstKey, secondKey, sha256(firstKey), sha256(secondKey));

    given().auth().oauth2(firstKey).get("/api/v1/backfills").then().statusCode(200);
    JsonPath used = asAdmin().get("/api/v1/admin/tenants/keyring/api-keys").jsonPath();
    assertThat(used.getString("keys[0].lastUsedAt")).isNotNull();
    assertThat(used.getString("keys[1].lastUsedAt")).isNull();

    asAdmin()
        .delete("/api/v1/admin/tenants/{t}/api-keys/{k}", "keyring", first.getString("keyId"))
        .then()
        .statusCode(204);

    // The very next request with the revoked key is refused; the other key still works.
    given()
        .auth()
        .oauth2(firstKey)
        .get("/api/v1/backfills")
        .then()
        .statusCode(401)
        .contentType("application/problem+json")
        .header("WWW-Authenticate", "Bearer")
        .body("detail", equalTo("The API key was revoked."));
    given().auth().oauth2(secondKey).get("/api/v1/backfills").then().statusCode(200);
    JsonPath after = asAdmin().get("/api/v1/admin/tenants/keyring/api-keys").jsonPath();
    assertThat(after.getString("keys[0].revokedAt")).isNotNull();
    assertThat(after.getString("keys[1].revokedAt")).isNull();

    asAdmin()
        .delete("/api/v1/admin/tenants/{t}/api-keys/{k}", "keyring", first.getString("keyId"))
        .then()
        .statusCode(204);
    asAdmin()
        .delete("/api/v1/admin/tenants/{t}/api-keys/{k}", "keyring", UUID.randomUUID())
        .then()
        .statusCode(404)
        .contentType("application/problem+json");
    asAdmin()
        .delete("/api/v1/admin/tenants/{t}/api-keys/{k}", "keyring", "not-a-uuid")
        .then()
        .statusCode(404);
    asAdmin().get("/api/v1/admin/tenants/nobody/api-keys").then().statusCode(404);
  }

  @Test
  void aTenantListsAndRevokesItsOwnKeysButNeverAnotherTenants() {
    JsonPath mine = createTenant("self-service", "main");
    JsonPath spare = addKey("self-service", "spare");
    JsonPath theirs = createTenant("neighbour", "theirs");
    String myKey = mine.getString("apiKey");
    String theirKey = theirs.getString("apiKey");

    JsonPath listed =
        given()
            .auth()
            .oauth2(myKey)
            .get("/api/v1/tenant/api-keys")
            .then()
            .statusCode(200)
            .extract()
            .jsonPath();
    assertThat(listed.getString("tenantId")).isEqualTo("self-service");
    assertThat(listed.getList("keys.label")).containsExactly("main", "spare");

    given()
        .auth()
        .oauth2(myKey)
        .delete("/api/v1/tenant/api-keys/{keyId}", theirs.getString("keyId"))
        .then()
        .statusCode(404)
        .contentType("application/problem+json");
    given().auth().oauth2(theirKey).get("/api/v1/backfills").then().statusCode(200);

    given()
        .auth()
        .oauth2(myKey)
        .delete("/api/v1/tenant/api-keys/{keyId}", spare.getString("keyId"))
        .then()
        .statusCode(204);
    given()
        .auth()
        .oauth2(spare.getString("apiKey"))
        .get("/api/v1/backfills")
        .then()
        .statusCode(401);
    given().auth().oauth2(myKey).get("/api/v1/backfills").then().statusCode(200);

    // Key management is split by role: the operator's endpoints refuse tenant keys and back.
    given()
        .auth()
        .oauth2(myKey)
        .get("/api/v1/admin/tenants/self-service/api-keys")
        .then()
        .statusCode(403);
    given()
        .auth()
        .oauth2(myKey)
        .post("/api/v1/admin/tenants/self-service/api-keys")
        .then()
        .statusCode(403);
    given().auth().oauth2(myKey).post("/api/v1/admin/secrets/rotate").then().statusCode(403);
    given().auth().oauth2(myKey).get("/api/v1/admin/secrets/keys").then().statusCode(403);
    asAdmin().get("/api/v1/tenant/api-keys").then().statusCode(403);
    given().get("/api/v1/tenant/api-keys").then().statusCode(401);
  }

  @Test
  void tenantCreationAnswersACliWithTheOneTimeKeyOrFieldErrors() {
    Response created =
        asAdmin()
            .contentType("application/json")
            .body("{\"tenantId\":\"cli-made\",\"name\":\"CLI Made\",\"keyLabel\":\"ops\"}")
            .post("/api/v1/admin/tenants");
    created
        .then()
        .statusCode(201)
        .contentType("application/json")
        .header("Location", org.hamcrest.Matchers.endsWith("/api/v1/admin/tenants/cli-made"))
        .body("tenantId", equalTo("cli-made"))
        .body("label", equalTo("ops"))
        .body("apiKey", org.hamcrest.Matchers.startsWith("bfk_"));
    assertThat(created.jsonPath().getMap("").keySet())
        .containsExactlyInAnyOrder("tenantId", "keyId", "label", "createdAt", "apiKey");
    asAdmin()
        .get(created.header("Location"))
        .then()
        .statusCode(200)
        .body("name", equalTo("CLI Made"));
    // Without a body a further key is still issued, unlabelled.
    asAdmin()
        .post("/api/v1/admin/tenants/{tenantId}/api-keys", "cli-made")
        .then()
        .statusCode(201)
        .body("label", org.hamcrest.Matchers.nullValue());
    asAdmin()
        .contentType("application/json")
        .body("{\"tenantId\":\"cli-made\"}")
        .post("/api/v1/admin/tenants")
        .then()
        .statusCode(409)
        .contentType("application/problem+json")
        .body("type", org.hamcrest.Matchers.endsWith("/tenant-exists"));

    record Case(String contentType, String body, List<String> fields) {}
    for (Case c :
        List.of(
            new Case("application/json", "{\"tenantId\":\"Bad Id\"}", List.of("tenantId")),
            new Case("application/json", "{\"name\":\"no id\"}", List.of("tenantId")),
            new Case("application/json", "{\"tenantId\":\"x\",\"plan\":\"gold\"}", List.of("plan")),
            new Case("application/json", "{\"tenantId\":", List.of("body")),
            new Case("application/json", "", List.of("body")),
            new Case("application/json", "{\"tenantId\":7}", List.of("tenantId")),
            new Case(
                "application/json",
                "{\"tenantId\":\"x\",\"keyLabel\":\"" + "l".repeat(101) + "\"}",
                List.of("keyLabel")),
            new Case(
                "application/json",
                "{\"tenantId\":\"x\",\"name\":\"" + "n".repeat(5000) + "\"}",
                List.of("body")),
            new Case("text/plain", "{\"tenantId\":\"plain\"}", List.of("Content-Type")))) {
      JsonPath problem =
          asAdmin()
              .contentType(c.contentType())
              .body(c.body())
              .post("/api/v1/admin/tenants")
              .then()
              .statusCode(400)
              .contentType("application/problem+json")
              .extract()
              .jsonPath();
      assertThat(problem.getList("errors.field", String.class))
          .as("fields reported for %s", c)
          .containsExactlyInAnyOrderElementsOf(c.fields());
    }
    asAdmin().get("/api/v1/admin/tenants/plain").then().statusCode(404);
    asAdmin().get("/api/v1/admin/tenants/x").then().statusCode(404);
  }

  @Test
  void rotationReencryptsEverySecretUnderTheNewestKeySoTheOldKeyCanBeRemoved() throws Exception {
    MasterKeyring old = MasterKeyring.of(List.of(), Optional.of(OLD_KEY));
    MasterKeyring newOnly = MasterKeyring.of(List.of("k2:" + NEW_KEY), Optional.empty());
    Map<String, String> plaintexts =
        Map.of(
            "rot-a", "sk-rot-a-" + UUID.randomUUID(),
            "rot-b", "sk-rot-b-" + UUID.randomUUID(),
            "rot-c", "sk-rot-c-" + UUID.randomUUID());
    plaintexts.keySet().forEach(GatewayFixtures::keyOf);
    // rot-a and rot-b were stored before the rotation started, under the old key; rot-c after,
    // through the API (k2 seals).
    insertSealed(old, "rot-a", "openai_api_key", plaintexts.get("rot-a"));
    insertSealed(old, "rot-b", "openai_api_key", plaintexts.get("rot-b"));
    as("rot-c")
        .contentType("application/json")
        .body(Map.of("value", plaintexts.get("rot-c")))
        .put("/api/v1/tenant/secrets/{name}", "OPENAI_API_KEY")
        .then()
        .statusCode(204);
    JsonPath before =
        asAdmin().get("/api/v1/admin/secrets/keys").then().statusCode(200).extract().jsonPath();
    assertThat(before.getString("activeKeyId")).isEqualTo("k2");
    assertThat(before.getList("configuredKeyIds")).containsExactly("k2", "default");
    assertThat(before.getInt("secretsByKey.default")).isEqualTo(2);
    assertThat(keyIdsInTheDatabase()).contains("default");
    // Mid-rotation every secret is served, whichever key sealed it.
    plaintexts.forEach((tenant, value) -> assertThat(llmKeyOf(tenant)).isEqualTo(value));

    List<String> responses = new ArrayList<>();
    Response rotated;
    try (GatewayFixtures.CapturedLogs logs = new GatewayFixtures.CapturedLogs()) {
      rotated = asAdmin().post("/api/v1/admin/secrets/rotate");
      responses.add(rotated.asString());
      rotated.then().statusCode(200);
      plaintexts.forEach(
          (tenant, value) -> {
            Response served = credentialsOf(tenant);
            served.then().statusCode(200).body("apiKey", equalTo(value));
          });
      Response again = asAdmin().post("/api/v1/admin/secrets/rotate");
      responses.add(again.asString());
      again.then().statusCode(200).body("reencrypted", equalTo(0));
      assertThat(logs.lines).anyMatch(line -> line.contains("rotation to"));
      for (String value : plaintexts.values()) {
        assertThat(logs.lines).noneMatch(line -> line.contains(value));
      }
    }
    assertThat(rotated.jsonPath().getInt("reencrypted")).isEqualTo(2);
    assertThat(rotated.jsonPath().getList("failures")).isEmpty();
    assertThat(rotated.jsonPath().getMap("secretsByKey")).containsOnlyKeys("k2");

    // Nothing is sealed under the old key id any more, and the new key alone opens every row:
    // the old key can be removed from the configuration.
    assertThat(keyIdsInTheDatabase()).containsOnly("k2");
    for (Map.Entry<String, String> secret : plaintexts.entrySet()) {
      assertThat(openRow(newOnly, secret.getKey(), "openai_api_key")).isEqualTo(secret.getValue());
    }
    String dump = GatewayFixtures.dumpOfTheGatewaySchema(dataSource);
    for (String value : plaintexts.values()) {
      assertThat(dump)
          .doesNotContain(value)
          .doesNotContain(HexFormat.of().formatHex(value.getBytes(StandardCharsets.UTF_8)));
      assertThat(responses).noneMatch(body -> body.contains(value));
    }
  }

  @Test
  void aSecretUnderAKeyThatIsNoLongerConfiguredIsReportedAndLeftAlone() throws Exception {
    MasterKeyring removed =
        MasterKeyring.of(List.of("gone:" + NEW_KEY.replace('I', 'J')), Optional.empty());
    GatewayFixtures.keyOf("orphaned");
    insertSealed(removed, "orphaned", "openai_api_key", "sk-orphan-" + UUID.randomUUID());

    credentialsOf("orphaned")
        .then()
        .statusCode(503)
        .contentType("application/problem+json")
        .body("type", org.hamcrest.Matchers.endsWith("/secret-unreadable"));
    JsonPath report =
        asAdmin().post("/api/v1/admin/secrets/rotate").then().statusCode(200).extract().jsonPath();
    assertThat(report.getList("failures.tenantId")).containsExactly("orphaned");
    assertThat(report.getString("failures[0].keyId")).isEqualTo("gone");
    assertThat(report.getString("failures[0].reason")).contains("not configured");
    assertThat(keyIdsInTheDatabase()).contains("gone");
    String metrics = given().get("/q/metrics").then().statusCode(200).extract().asString();
    assertThat(metrics)
        .contains("backfill_gateway_secrets_unreadable_total")
        .contains("backfill_gateway_secret_reencryptions_total{outcome=\"failed\"}");
    // The tenant can still replace it; the new value is sealed under the active key.
    as("orphaned")
        .contentType("application/json")
        .body(Map.of("value", "sk-replacement"))
        .put("/api/v1/tenant/secrets/{name}", "openai_api_key")
        .then()
        .statusCode(204);
    credentialsOf("orphaned").then().statusCode(200).body("apiKey", equalTo("sk-replacement"));
    assertThat(keyIdsInTheDatabase()).doesNotContain("gone");
  }

  private static Response credentialsOf(String tenant) {
    return GatewayFixtures.asService()
        .get("/internal/v1/tenants/{tenantId}/llm-credentials", tenant);
  }

  private static String llmKeyOf(String tenant) {
    return credentialsOf(tenant).then().statusCode(200).extract().path("apiKey");
  }

  /** A row as a gateway configured with {@code keyring} would have written it. */
  private void insertSealed(MasterKeyring keyring, String tenant, String name, String value)
      throws Exception {
    MasterKeyring.Sealed sealed = keyring.seal(tenant, name, value);
    try (Connection connection = dataSource.getConnection();
        PreparedStatement insert =
            connection.prepareStatement(
                "INSERT INTO gateway.tenant_secrets (tenant_id, name, key_id, nonce, ciphertext)"
                    + " VALUES (?, ?, ?, ?, ?)")) {
      insert.setString(1, tenant);
      insert.setString(2, name);
      insert.setString(3, sealed.keyId());
      insert.setBytes(4, sealed.nonce());
      insert.setBytes(5, sealed.ciphertext());
      insert.executeUpdate();
    }
  }

  private String openRow(MasterKeyring keyring, String tenant, String name) throws Exception {
    try (Connection connection = dataSource.getConnection();
        PreparedStatement select =
            connection.prepareStatement(
                "SELECT key_id, nonce, ciphertext FROM gateway.tenant_secrets"
                    + " WHERE tenant_id = ? AND name = ?")) {
      select.setString(1, tenant);
      select.setString(2, name);
      try (ResultSet rs = select.executeQuery()) {
        assertThat(rs.next()).isTrue();
        return keyring.open(
            tenant,
            name,
            new MasterKeyring.Sealed(rs.getString(1), rs.getBytes(2), rs.getBytes(3)));
      }
    }
  }

  private List<String> keyIdsInTheDatabase() throws Exception {
    List<String> ids = new ArrayList<>();
    try (Connection connection = dataSource.getConnection();
        ResultSet rs =
            connection
                .createStatement()
                .executeQuery("SELECT DISTINCT key_id FROM gateway.tenant_secrets")) {
      while (rs.next()) {
        ids.add(rs.getString(1));
      }
    }
    return ids;
  }
}
