package io.backfill.worker.llm;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.backfill.contracts.event.MailMessage;
import io.backfill.contracts.event.Recipient;
import io.backfill.worker.config.LlmConfig;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The chat completions request for one message: the system prompt, the message's headers and its
 * whole text body (up to {@code max-body-chars}), temperature 0 and the answer's JSON schema.
 */
@ApplicationScoped
public class ExtractionPrompt {

  static final String SYSTEM_PROMPT =
      "You extract the people and organisations named in one email (headers and body), with each"
          + " person's address and each organisation's domain when the email shows them, and who"
          + " works at which organisation (WORKS_AT) and who emailed whom (EMAILED). Answer only"
          + " with JSON that follows the given schema; name only what the email names.";

  private final LlmConfig config;
  private final ObjectMapper json;

  ExtractionPrompt(LlmConfig config, ObjectMapper json) {
    this.config = config;
    this.json = json;
  }

  /** The request that asks {@code model} about {@code message}. */
  ObjectNode request(String model, MailMessage message) {
    ObjectNode request = json.createObjectNode();
    request.put("model", model);
    request.put("temperature", 0);
    ArrayNode messages = request.putArray("messages");
    messages.addObject().put("role", "system").put("content", SYSTEM_PROMPT);
    messages.addObject().put("role", "user").put("content", prompt(message));
    ObjectNode format = request.putObject("response_format").put("type", "json_schema");
    ObjectNode schema = format.putObject("json_schema");
    schema.put("name", "mail_entities");
    schema.put("strict", true);
    schema.set("schema", AnswerParser.SCHEMA);
    return request;
  }

  /** The message's headers and its whole text body (never the preview), up to max-body-chars. */
  String prompt(MailMessage message) {
    StringBuilder text = new StringBuilder();
    if (message.from() != null) {
      text.append("From: ").append(recipient(message.from())).append('\n');
    }
    if (!message.to().isEmpty()) {
      text.append("To: ").append(recipients(message.to())).append('\n');
    }
    if (!message.cc().isEmpty()) {
      text.append("Cc: ").append(recipients(message.cc())).append('\n');
    }
    text.append("Subject: ").append(message.subject() == null ? "" : message.subject());
    text.append("\n\n");
    String body = message.body();
    text.append(
        body.length() > config.maxBodyChars() ? body.substring(0, config.maxBodyChars()) : body);
    return text.toString();
  }

  private static String recipients(List<Recipient> recipients) {
    return recipients.stream().map(ExtractionPrompt::recipient).collect(Collectors.joining(", "));
  }

  private static String recipient(Recipient r) {
    return r.name() == null || r.name().isBlank()
        ? r.address()
        : r.name() + " <" + r.address() + ">";
  }
}
