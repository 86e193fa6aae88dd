package io.backfill.simulator.llm;

import com.openai.core.JsonValue;
import com.openai.models.ResponseFormatJsonSchema;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import java.util.List;
import java.util.Map;

/** Builds chat requests like the worker's, for the LLM tests. */
public final class ChatCompletionsTestSupport {

  private ChatCompletionsTestSupport() {}

  /** The kind of request the worker sends: a JSON schema of entities and relationships. */
  public static ChatCompletionCreateParams extraction(String model, String prompt) {
    Map<String, Object> entity =
        Map.of(
            "type",
            "object",
            "properties",
            Map.of(
                "name", Map.of("type", "string"),
                "type", Map.of("type", "string", "enum", List.of("person", "organization")),
                "email", Map.of("type", List.of("string", "null"))),
            "required",
            List.of("name", "type", "email"),
            "additionalProperties",
            false);
    Map<String, Object> relation =
        Map.of(
            "type",
            "object",
            "properties",
            Map.of(
                "source", Map.of("type", "string"),
                "relation", Map.of("type", "string"),
                "target", Map.of("type", "string")),
            "required",
            List.of("source", "relation", "target"),
            "additionalProperties",
            false);
    ResponseFormatJsonSchema.JsonSchema.Schema schema =
        ResponseFormatJsonSchema.JsonSchema.Schema.builder()
            .putAdditionalProperty("type", JsonValue.from("object"))
            .putAdditionalProperty(
                "properties",
                JsonValue.from(
                    Map.of(
                        "entities", Map.of("type", "array", "items", entity),
                        "relationships", Map.of("type", "array", "items", relation))))
            .putAdditionalProperty("required", JsonValue.from(List.of("entities", "relationships")))
            .putAdditionalProperty("additionalProperties", JsonValue.from(false))
            .build();
    return ChatCompletionCreateParams.builder()
        .model(model)
        .addSystemMessage("Extract the people and organisations in this email and how they relate.")
        .addUserMessage(prompt)
        .responseFormat(
            ResponseFormatJsonSchema.builder()
                .jsonSchema(
                    ResponseFormatJsonSchema.JsonSchema.builder()
                        .name("extraction")
                        .strict(true)
                        .schema(schema)
                        .build())
                .build())
        .build();
  }
}
