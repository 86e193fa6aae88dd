package io.backfill.simulator.faults;

import static io.backfill.simulator.SimulatorFixtures.API_KEY;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.errors.InternalServerException;
import com.openai.errors.OpenAIIoException;
import com.openai.errors.RateLimitException;
import com.openai.models.chat.completions.ChatCompletion;
import io.backfill.simulator.SimulatorFixtures;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.net.URL;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Each LLM fault the worker must survive (an empty or failed answer is never taken as no entities),
 * seen through the OpenAI SDK.
 */
@QuarkusTest
class LlmFaultsTest {

  private static final String MODEL = "gpt-4.1-mini";
  private static final String PROMPT =
      "From: Someone <someone@contoso.com>\nSubject: hello\n\nPlease call me back.";
  private static final ObjectMapper JSON = new ObjectMapper();

  @TestHTTPResource("/")
  URL base;

  @AfterEach
  void reset() {
    SimulatorFixtures.resetSimulator();
  }

  @Test
  void emptyContentFaultAnswersAnEmptyString() {
    GraphFaultsTest.fault(Map.of("target", MODEL, "kind", "empty-content", "times", 1));

    assertThat(complete().choices().get(0).message().content()).contains("");
  }

  @Test
  void nullContentFaultAnswersNullContent() {
    GraphFaultsTest.fault(Map.of("target", MODEL, "kind", "null-content", "times", 1));

    assertThat(complete().choices().get(0).message().content()).isEmpty();
  }

  @Test
  void fencedJsonFaultWrapsTheAnswerInAMarkdownFence() throws JsonProcessingException {
    GraphFaultsTest.fault(Map.of("target", MODEL, "kind", "fenced-json", "times", 1));

    String content = complete().choices().get(0).message().content().orElseThrow();

    assertThat(content).startsWith("```json\n").endsWith("\n```");
    JsonNode inside = JSON.readTree(content.substring(8, content.length() - 4));
    assertThat(inside.get("entities").isArray()).isTrue();
  }

  @Test
  void truncatedJsonFaultCutsTheAnswerAndSaysLength() {
    GraphFaultsTest.fault(Map.of("target", MODEL, "kind", "truncated-json", "times", 1));

    ChatCompletion completion = complete();
    String content = completion.choices().get(0).message().content().orElseThrow();

    assertThat(completion.choices().get(0).finishReason().asString()).isEqualTo("length");
    assertThatThrownBy(() -> JSON.readTree(content)).isInstanceOf(JsonProcessingException.class);
  }

  @Test
  void schemaViolationFaultAnswersJsonThatBreaksTheSchema() throws JsonProcessingException {
    GraphFaultsTest.fault(Map.of("target", MODEL, "kind", "schema-violation", "times", 1));

    JsonNode answer = JSON.readTree(complete().choices().get(0).message().content().orElseThrow());

    assertThat(answer.get("entities").isArray()).isFalse();
    assertThat(answer.has("relationships")).isFalse();
  }

  @Test
  void throttleFaultIs429RateLimitExceededWithRetryAfter() {
    GraphFaultsTest.fault(
        Map.of("target", MODEL, "kind", "throttle", "times", 2, "retryAfterSeconds", 7));

    assertThatThrownBy(this::complete).isInstanceOf(RateLimitException.class);
    given()
        .header("Authorization", "Bearer " + API_KEY)
        .contentType("application/json")
        .body("{\"model\":\"" + MODEL + "\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}")
        .post("/v1/chat/completions")
        .then()
        .statusCode(429)
        .header("retry-after", "7")
        .body("error.code", equalTo("rate_limit_exceeded"))
        .body("error.type", equalTo("requests"));
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () ->
                assertThat(GraphFaultsTest.counters())
                    .anySatisfy(
                        c ->
                            assertThat(c)
                                .containsEntry("endpoint", "chat.completions")
                                .containsEntry("tenant", SimulatorFixtures.TENANT)
                                .containsEntry("target", MODEL)
                                .containsEntry("status", "429")
                                .containsEntry("count", 2)));
  }

  @Test
  void serverErrorFaultIs500InOpenAisShape() {
    GraphFaultsTest.fault(Map.of("target", MODEL, "kind", "server-error", "times", 1));

    assertThatThrownBy(this::complete).isInstanceOf(InternalServerException.class);
  }

  @Test
  void hangFaultNeverAnswersSoTheClientTimesOut() {
    GraphFaultsTest.fault(Map.of("target", MODEL, "kind", "hang", "times", 1));
    OpenAIClient impatient =
        OpenAIOkHttpClient.builder()
            .apiKey(API_KEY)
            .baseUrl(base + "v1")
            .maxRetries(0)
            .timeout(Duration.ofSeconds(1))
            .build();

    assertThatThrownBy(
            () ->
                impatient
                    .chat()
                    .completions()
                    .create(
                        io.backfill.simulator.llm.ChatCompletionsTestSupport.extraction(
                            MODEL, PROMPT)))
        .isInstanceOf(OpenAIIoException.class);
  }

  @Test
  void latencyFaultDelaysTheAnswer() {
    GraphFaultsTest.fault(Map.of("target", MODEL, "kind", "latency", "latencyMs", 600, "times", 1));

    long started = System.nanoTime();
    complete();

    assertThat(Duration.ofNanos(System.nanoTime() - started))
        .isGreaterThanOrEqualTo(Duration.ofMillis(600));
  }

  private ChatCompletion complete() {
    OpenAIClient openai =
        OpenAIOkHttpClient.builder().apiKey(API_KEY).baseUrl(base + "v1").maxRetries(0).build();
    return openai
        .chat()
        .completions()
        .create(io.backfill.simulator.llm.ChatCompletionsTestSupport.extraction(MODEL, PROMPT));
  }
}
