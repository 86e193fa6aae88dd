package io.backfill.gateway;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.backfill.testkit.BackfillInfrastructure;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The OpenAPI document checked in as docs/openapi.yaml (linted in CI, the source of the generated
 * client) is exactly the one the gateway serves.
 */
@QuarkusTest
@WithTestResource(BackfillInfrastructure.class)
class OpenApiDocumentTest {

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
