package io.backfill.gateway;

import static io.backfill.gateway.GatewayFixtures.as;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.endsWith;
import static org.hamcrest.Matchers.equalTo;

import io.backfill.testkit.BackfillInfrastructure;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A tenant's {@code openai_base_url} is checked when stored: the worker would send the tenant's
 * mail there. The test profile allows plain http to loopback (the simulator), nothing else.
 */
@QuarkusTest
@WithTestResource(
    value = BackfillInfrastructure.class,
    scope = TestResourceScope.RESTRICTED_TO_CLASS)
class LlmBaseUrlSecretTest {

  private static final String TENANT = "egress";

  @BeforeAll
  static void freshKeys() {
    GatewayFixtures.forgetKeys();
  }

  @ParameterizedTest(name = "{0} → {1}")
  @CsvSource({
    "https://169.254.169.254/latest/meta-data, metadata",
    "https://metadata.google.internal/v1, metadata",
    "https://api.openai.com@127.0.0.1/v1, userinfo",
    "file:///etc/passwd, scheme",
    "http://api.openai.com/v1, scheme",
    "https://10.0.0.8/v1, private",
    "https://[::ffff:10.0.0.8]/v1, private",
    "https://2130706433/v1, ip-literal-form",
  })
  void aBaseUrlPointingInsideIsRefusedWith422NamingTheRuleAndNotStored(String url, String rule) {
    put("openai_base_url", "https://llm.example.com/v1").then().statusCode(204);

    put("OPENAI_BASE_URL", url)
        .then()
        .statusCode(422)
        .contentType("application/problem+json")
        .body("type", endsWith("/llm-endpoint-refused"))
        .body("status", equalTo(422))
        .body("detail", containsString("'" + rule + "'"))
        .body("errors[0].field", equalTo("value"))
        .body("errors[0].message", equalTo(rule));

    credentials().then().statusCode(200).body("baseUrl", equalTo("https://llm.example.com/v1"));
  }

  @Test
  void aPublicHttpsBaseUrlAndTheLocalSimulatorAreStored() {
    put("openai_base_url", "https://my-resource.openai.azure.com/openai").then().statusCode(204);
    credentials()
        .then()
        .statusCode(200)
        .body("baseUrl", equalTo("https://my-resource.openai.azure.com/openai"));

    put("openai_base_url", "http://127.0.0.1:8089/v1").then().statusCode(204);
    credentials().then().statusCode(200).body("baseUrl", equalTo("http://127.0.0.1:8089/v1"));
  }

  @Test
  void otherSecretsAreNotReadAsUrls() {
    put("graph_client_secret", "http://10.0.0.1/not-a-url-at-all").then().statusCode(204);
  }

  private static io.restassured.response.Response put(String name, String value) {
    return as(TENANT)
        .contentType("application/json")
        .body(Map.of("value", value))
        .put("/api/v1/tenant/secrets/{name}", name);
  }

  private static io.restassured.response.Response credentials() {
    // The worker reads the key and base URL together: a key must exist for the answer to be 200.
    put("openai_api_key", "sk-test-egress").then().statusCode(204);
    return GatewayFixtures.asService()
        .get("/internal/v1/tenants/{tenantId}/llm-credentials", TENANT);
  }
}
