package io.backfill.simulator.llm;

import static io.backfill.simulator.SimulatorFixtures.ALICE;
import static io.backfill.simulator.SimulatorFixtures.API_KEY;
import static io.backfill.simulator.SimulatorFixtures.graph;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.JsonValue;
import com.openai.errors.UnauthorizedException;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionMessage;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.net.URL;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Chat completions through the official OpenAI Java SDK, unmodified, pointed at the simulator. */
@QuarkusTest
class ChatCompletionsTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  @TestHTTPResource("/")
  URL base;

  @Test
  void jsonSchemaAnswersFollowTheSchemaAndMatchTheGroundTruthAtAboutTheConfiguredQuality()
      throws Exception {
    OpenAIClient openai = client(API_KEY);
    List<Map<String, Object>> messages = messages(25);
    int truePositives = 0;
    int answered = 0;
    int truthSize = 0;

    for (Map<String, Object> message : messages) {
      ChatCompletion completion =
          openai
              .chat()
              .completions()
              .create(ChatCompletionsTestSupport.extraction("gpt-4o-mini", prompt(message)));
      JsonNode answer =
          JSON.readTree(completion.choices().get(0).message().content().orElseThrow());
      Set<String> truth = truthNames((String) message.get("id"));

      assertThat(answer.get("entities").isArray()).isTrue();
      assertThat(answer.get("relationships").isArray()).isTrue();
      for (JsonNode entity : answer.get("entities")) {
        assertThat(entity.get("type").asText()).isIn("person", "organization");
        assertThat(entity.get("name").isTextual()).isTrue();
        answered++;
        truePositives += truth.contains(entity.get("name").asText()) ? 1 : 0;
      }
      for (JsonNode relation : answer.get("relationships")) {
        assertThat(relation.get("relation").asText()).isEqualTo("WORKS_AT");
      }
      truthSize += truth.size();
    }

    // Configured 0.9 / 0.9; over a few hundred entities the measured values land close to it.
    assertThat((double) truePositives / answered).isBetween(0.75, 1.0);
    assertThat((double) truePositives / truthSize).isBetween(0.75, 1.0);
  }

  @Test
  void reasoningModelLeavesContentNullWithTheAnswerInReasoningContent() {
    Map<String, Object> message = messages(1).get(0);

    ChatCompletionMessage reply =
        client(API_KEY)
            .chat()
            .completions()
            .create(ChatCompletionsTestSupport.extraction("o3-mini", prompt(message)))
            .choices()
            .get(0)
            .message();

    assertThat(reply.content()).isEmpty();
    JsonValue reasoning = reply._additionalProperties().get("reasoning_content");
    assertThat(reasoning).isNotNull();
    assertThat(reasoning.toString()).contains("entities");
  }

  @Test
  void wrongKeyIs401InvalidApiKeyInOpenAisShape() {
    assertThatThrownBy(
            () ->
                client("sk-wrong-key-123456")
                    .chat()
                    .completions()
                    .create(ChatCompletionsTestSupport.extraction("gpt-4o-mini", "hi")))
        .isInstanceOf(UnauthorizedException.class);

    given()
        .header("Authorization", "Bearer sk-wrong-key-123456")
        .contentType("application/json")
        .body("{\"model\":\"gpt-4o-mini\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}")
        .post("/v1/chat/completions")
        .then()
        .statusCode(401)
        .body("error.code", equalTo("invalid_api_key"))
        .body("error.type", equalTo("invalid_request_error"))
        .body("error.param", nullValue())
        .body("error.message", org.hamcrest.Matchers.startsWith("Incorrect API key provided: sk-"));
  }

  @Test
  void unknownModelAndMalformedBodiesAreOpenAiErrors() {
    given()
        .header("Authorization", "Bearer " + API_KEY)
        .contentType("application/json")
        .body("{\"model\":\"gpt-9\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}")
        .post("/v1/chat/completions")
        .then()
        .statusCode(404)
        .body("error.code", equalTo("model_not_found"));
    given()
        .header("Authorization", "Bearer " + API_KEY)
        .contentType("application/json")
        .body("{\"model\":")
        .post("/v1/chat/completions")
        .then()
        .statusCode(400)
        .body("error.type", equalTo("invalid_request_error"));
    given()
        .header("Authorization", "Bearer " + API_KEY)
        .contentType("application/json")
        .body("{\"model\":\"gpt-4o-mini\",\"messages\":[]}")
        .post("/v1/chat/completions")
        .then()
        .statusCode(400)
        .body("error.param", equalTo("messages"));
  }

  OpenAIClient client(String key) {
    return OpenAIOkHttpClient.builder().apiKey(key).baseUrl(base + "v1").maxRetries(0).build();
  }

  static List<Map<String, Object>> messages(int count) {
    return graph()
        .header("Prefer", "outlook.body-content-type=\"text\"")
        .queryParam("$top", count)
        .queryParam("$select", "id,subject,from,toRecipients,ccRecipients,body")
        .get("/v1.0/users/{user}/messages", ALICE)
        .then()
        .statusCode(200)
        .extract()
        .jsonPath()
        .getList("value");
  }

  /** The email as a worker would put it in a prompt: headers, then the full text body. */
  @SuppressWarnings("unchecked")
  static String prompt(Map<String, Object> message) {
    StringBuilder prompt = new StringBuilder();
    prompt.append("From: ").append(address((Map<String, Object>) message.get("from"))).append('\n');
    for (String field : List.of("toRecipients", "ccRecipients")) {
      for (Map<String, Object> r : (List<Map<String, Object>>) message.get(field)) {
        prompt.append(field.startsWith("to") ? "To: " : "Cc: ").append(address(r)).append('\n');
      }
    }
    prompt.append("Subject: ").append(message.get("subject")).append("\n\n");
    prompt.append(((Map<String, Object>) message.get("body")).get("content"));
    return prompt.toString();
  }

  @SuppressWarnings("unchecked")
  private static String address(Map<String, Object> recipient) {
    Map<String, Object> email = (Map<String, Object>) recipient.get("emailAddress");
    return email.get("name") + " <" + email.get("address") + ">";
  }

  private static Set<String> truthNames(String id) {
    List<String> names =
        given()
            .get("/admin/mailboxes/{user}/messages/{id}/ground-truth", ALICE, id)
            .then()
            .statusCode(200)
            .extract()
            .jsonPath()
            .getList("groundTruth.entities.name");
    return new HashSet<>(names);
  }
}
