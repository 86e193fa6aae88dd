package io.backfill.gateway;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.backfill.gateway.client.ApiClient;
import io.backfill.gateway.client.ApiException;
import io.backfill.gateway.client.api.BackfillsApi;
import io.backfill.gateway.client.model.Accepted;
import io.backfill.gateway.client.model.BackfillStatus;
import io.backfill.gateway.client.model.SubmitBackfill;
import io.backfill.testkit.BackfillInfrastructure;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The OpenAPI document checked in as docs/openapi.yaml (linted in CI) is exactly the one the
 * gateway serves, and a Java client generated from it by OpenAPI Generator (at
 * generate-test-sources) drives the real gateway over HTTP: the document is enough to submit, read
 * and cancel a backfill.
 */
@QuarkusTest
@WithTestResource(
    value = BackfillInfrastructure.class,
    scope = TestResourceScope.RESTRICTED_TO_CLASS)
class OpenApiDocumentTest {

  private static final String TENANT = "tenant-openapi-client";

  static final Path CHECKED_IN = Path.of("..", "docs", "openapi.yaml");
  static final Path SERVED_COPY = Path.of("target", "openapi-served.yaml");

  @Test
  void theGatewayServesExactlyTheCheckedInDocument() throws Exception {
    String served =
        given()
            .queryParam("format", "yaml")
            .get("/q/openapi")
            .then()
            .statusCode(200)
            .extract()
            .asString();
    ObjectMapper yaml = new YAMLMapper();
    JsonNode servedTree = yaml.readTree(served);
    JsonNode checkedInTree =
        Files.exists(CHECKED_IN) ? yaml.readTree(Files.readString(CHECKED_IN)) : null;

    if (!servedTree.equals(checkedInTree)) {
      Files.createDirectories(SERVED_COPY.getParent());
      Files.writeString(SERVED_COPY, served, StandardCharsets.UTF_8);
    }
    assertThat(servedTree)
        .as(
            "docs/openapi.yaml differs from what the gateway serves at /q/openapi (first"
                + " differences: %s). If the change is intended, regenerate it: run this test,"
                + " then `cp api-gateway/target/openapi-served.yaml docs/openapi.yaml`, and lint"
                + " it with `npx --yes @redocly/cli@2.77.0 lint docs/openapi.yaml`.",
            differences(checkedInTree, servedTree))
        .isEqualTo(checkedInTree);
  }

  @Test
  void everyOperationHasAnIdASecurityRequirementAndAProblemForItsErrors() throws Exception {
    JsonNode document =
        new YAMLMapper()
            .readTree(
                given()
                    .queryParam("format", "yaml")
                    .get("/q/openapi")
                    .then()
                    .statusCode(200)
                    .extract()
                    .asString());

    assertThat(document.path("servers")).isNotEmpty();
    List<String> operationIds = new ArrayList<>();
    for (Map.Entry<String, JsonNode> path : document.path("paths").properties()) {
      for (Map.Entry<String, JsonNode> method : path.getValue().properties()) {
        JsonNode operation = method.getValue();
        String name = method.getKey() + " " + path.getKey();
        assertThat(operation.path("operationId").asText()).as(name).isNotBlank();
        assertThat(operation.has("security")).as(name).isTrue();
        operationIds.add(operation.path("operationId").asText());
        for (Map.Entry<String, JsonNode> response : operation.path("responses").properties()) {
          if (response.getKey().startsWith("4") || response.getKey().startsWith("5")) {
            assertThat(
                    response
                        .getValue()
                        .path("content")
                        .path("application/problem+json")
                        .path("schema")
                        .path("$ref")
                        .asText())
                .as(name + " " + response.getKey())
                .isEqualTo("#/components/schemas/Problem");
          }
        }
      }
    }
    assertThat(operationIds).doesNotHaveDuplicates();
  }

  @Test
  void aClientGeneratedFromTheDocumentSubmitsReadsAndCancelsABackfill() throws Exception {
    BackfillsApi backfills = new BackfillsApi(client(GatewayFixtures.keyOf(TENANT)));

    Accepted accepted =
        backfills.submitBackfill(
            new SubmitBackfill()
                .mailbox("ada@contoso.com")
                .from("2024-01-01")
                .to("2024-03-01T00:00:00Z")
                .folder("inbox"),
            "client-" + UUID.randomUUID());
    assertThat(accepted.getStatus()).isEqualTo("pending");

    BackfillStatus status = backfills.getBackfillStatus(accepted.getJobId());
    assertThat(status.getJobId()).hasToString(accepted.getJobId());
    assertThat(status.getStatus()).isEqualTo("pending");
    assertThat(status.getMailbox()).isEqualTo("ada@contoso.com");

    assertThat(backfills.cancelBackfillWithHttpInfo(accepted.getJobId()).getStatusCode())
        .isEqualTo(202);
  }

  @Test
  void theGeneratedClientSeesAnUnknownJobAsA404Problem() {
    BackfillsApi backfills = new BackfillsApi(client(GatewayFixtures.keyOf(TENANT)));

    try {
      backfills.getBackfillStatus(UUID.randomUUID().toString());
      throw new AssertionError("an unknown job was found");
    } catch (ApiException e) {
      assertThat(e.getCode()).isEqualTo(404);
      assertThat(e.getResponseHeaders().firstValue("Content-Type"))
          .hasValueSatisfying(type -> assertThat(type).startsWith("application/problem+json"));
      assertThat(e.getResponseBody()).contains("backfill-not-found");
    }
  }

  /** The client against this test's gateway, with the key as its bearer token. */
  private static ApiClient client(String apiKey) {
    return new ApiClient()
        .setScheme("http")
        .setHost("localhost")
        .setPort(RestAssured.port)
        .setBasePath("")
        .setConnectTimeout(Duration.ofSeconds(5))
        .setReadTimeout(Duration.ofSeconds(30))
        .setRequestInterceptor(request -> request.header("Authorization", "Bearer " + apiKey));
  }

  /** The JSON pointers of the first few places where the two documents differ. */
  static List<String> differences(JsonNode expected, JsonNode actual) {
    List<String> found = new ArrayList<>();
    collect("", expected, actual, found);
    return found;
  }

  private static void collect(String at, JsonNode expected, JsonNode actual, List<String> found) {
    if (found.size() >= 10 || (expected != null && expected.equals(actual))) {
      return;
    }
    if (expected == null || actual == null || !expected.isObject() || !actual.isObject()) {
      found.add(at.isEmpty() ? "/" : at);
      return;
    }
    List<String> names = new ArrayList<>();
    expected.fieldNames().forEachRemaining(names::add);
    actual
        .fieldNames()
        .forEachRemaining(
            n -> {
              if (!expected.has(n)) {
                names.add(n);
              }
            });
    for (String name : names) {
      collect(
          at + "/" + name.replace("~", "~0").replace("/", "~1"),
          expected.get(name),
          actual.get(name),
          found);
    }
  }
}
