package io.backfill.contracts.security;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SecretRedactionTest {

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "Incorrect API key provided: sk-abc123DEF456ghi789JKL012mno345. You can find your API key"
            + " | Incorrect API key provided: [redacted]. You can find your API key",
        "Incorrect API key provided: sk-proj-***********************************abcd."
            + " | Incorrect API key provided: [redacted].",
        "Incorrect API key provided: sk-***…abcd | Incorrect API key provided: [redacted]",
        "key 'sk-revoked-0000000000' refused | key '[redacted]' refused",
        "Authorization: Bearer eyJhbGciOi.payload.sig rejected"
            + " | Authorization: Bearer [redacted] rejected",
        "Authorization: Basic dXNlcjpwYXNz | Authorization: Basic [redacted]",
        "token=ghp_16C7e42F292c6912E7710c838347Ae178B4a in query" + " | [redacted] in query",
        "session AKIAIOSFODNN7EXAMPLEKEY9 expired | session [redacted] expired",
      })
  void credentialsAreReplaced(String text, String expected) {
    assertThat(SecretRedaction.redact(text)).isEqualTo(expected.strip());
  }

  @Test
  void ordinaryTextIdentifiersAndUuidsAreKept() {
    String text =
        "gpt-4o-mini answered 429: Rate limit reached for requests; run"
            + " extract:2fc7efc7-bdca-38bf-b475-9bff43b8cecf:42 of tenant t-contoso at"
            + " io.backfill.worker.llm.OpenAiLlmExtractor.extract(OpenAiLlmExtractor.java:131)";

    assertThat(SecretRedaction.redact(text)).isEqualTo(text);
  }

  @Test
  void aSecretGluedToAUuidIsStillRedacted() {
    assertThat(
            SecretRedaction.redact(
                "x 2fc7efc7-bdca-38bf-b475-9bff43b8cecf-a1b2c3d4e5f6g7h8i9j0k1l2 y"))
        .isEqualTo("x [redacted] y");
  }

  @Test
  void nullStaysNullAndLongInputIsCutBeforeRedaction() {
    assertThat(SecretRedaction.redact(null)).isNull();

    String huge = "a ".repeat(10_000) + "sk-late0123456789";
    String redacted = SecretRedaction.redact(huge);

    assertThat(redacted.length()).isLessThanOrEqualTo(SecretRedaction.MAX_INPUT_CHARS + 10);
    assertThat(redacted).endsWith("…(cut)").doesNotContain("sk-late");
  }

  @Test
  void aKeyIsRedactedWhereverItSitsInAJsonBody() {
    String body =
        "{\"error\":{\"message\":\"Incorrect API key provided: sk-MARKER9f8e7d6c5b4a.\","
            + "\"type\":\"invalid_request_error\",\"code\":\"invalid_api_key\"}}";

    assertThat(SecretRedaction.redact(body))
        .doesNotContain("MARKER")
        .contains("Incorrect API key provided: [redacted]")
        .contains("invalid_api_key");
  }

  @Test
  void aStackTraceIsRedactedLineByLineAndKeepsItsLines() {
    String trace =
        "java.lang.IllegalStateException: refused sk-MARKER0123456789abcdef\n"
            + "\tat io.backfill.worker.llm.OpenAiLlmExtractor.extract(OpenAiLlmExtractor.java:131)\n"
            + "\tat java.base/java.lang.Thread.run(Thread.java:1583)\n".repeat(200);

    String redacted = SecretRedaction.redactLines(trace);

    assertThat(redacted).doesNotContain("MARKER").startsWith("java.lang.IllegalStateException");
    assertThat(redacted.lines().count()).isEqualTo(trace.lines().count());
    assertThat(SecretRedaction.redactLines(null)).isNull();
  }
}
