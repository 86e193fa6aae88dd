package io.backfill.simulator.api.rest;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.backfill.simulator.config.SimulatorConfig;
import io.backfill.simulator.faults.FaultInjector;
import io.backfill.simulator.faults.FaultKind;
import io.backfill.simulator.faults.FaultRule;
import io.backfill.simulator.faults.FaultedResponse;
import io.backfill.simulator.llm.ApiKeys;
import io.backfill.simulator.llm.Extraction;
import io.backfill.simulator.llm.OpenAiException;
import io.backfill.simulator.llm.PromptExtractor;
import io.backfill.simulator.llm.SchemaAnswer;
import io.backfill.simulator.metrics.RequestLedger;
import io.smallrye.mutiny.Uni;
import io.vertx.ext.web.RoutingContext;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * OpenAI's {@code POST /v1/chat/completions}: answers from the ground truth of the mail named in
 * the prompt, shaped to the request's JSON schema, with reasoning models and injected faults.
 */
@Path("/v1/chat/completions")
public class ChatCompletionsResource {

  private final ApiKeys keys;
  private final PromptExtractor extractor;
  private final FaultInjector faults;
  private final RequestLedger ledger;
  private final ObjectMapper mapper;
  private final List<String> models;
  private final List<String> reasoningModels;

  ChatCompletionsResource(
      ApiKeys keys,
      PromptExtractor extractor,
      FaultInjector faults,
      RequestLedger ledger,
      ObjectMapper mapper,
      SimulatorConfig config) {
    this.keys = keys;
    this.extractor = extractor;
    this.faults = faults;
    this.ledger = ledger;
    this.mapper = mapper;
    this.models = config.llm().models();
    this.reasoningModels = config.llm().reasoningModels();
  }

  @POST
  @Consumes(MediaType.WILDCARD)
  public Uni<Response> complete(
      String body, @HeaderParam("Authorization") String authorization, RoutingContext context) {
    RequestLedger.Call call = ledger.track(context, "chat.completions", null);
    String tenant = keys.tenantOf(authorization);
    call.tenant(tenant);
    JsonNode request = parse(body);
    String model = request.path("model").asText("");
    if (model.isEmpty()) {
      throw OpenAiException.invalidRequest("you must provide a model parameter", "model");
    }
    call.target(model);
    if (!models.contains(model)) {
      throw new OpenAiException(
          404,
          "The model `" + model + "` does not exist or you do not have access to it.",
          "invalid_request_error",
          null,
          "model_not_found");
    }
    String prompt = prompt(request);
    JsonNode format = request.path("response_format");
    FaultInjector.Decision decision = faults.decide(model, FaultKind.Surface.LLM);
    return FaultedResponse.play(
        decision, context, () -> answer(model, prompt, format, decision.fault()));
  }

  private Response answer(String model, String prompt, JsonNode format, FaultRule fault) {
    failIfFaulted(model, fault);
    Extraction extraction = extractor.extract(prompt);
    String content = content(extraction, format);
    String finish = "stop";
    FaultKind kind = fault == null ? null : fault.kind();
    if (kind == FaultKind.EMPTY_CONTENT) {
      content = "";
    } else if (kind == FaultKind.NULL_CONTENT) {
      content = null;
    } else if (kind == FaultKind.FENCED_JSON) {
      content = "```json\n" + content + "\n```";
    } else if (kind == FaultKind.TRUNCATED_JSON) {
      content = content.substring(0, content.length() / 2);
      finish = "length";
    } else if (kind == FaultKind.SCHEMA_VIOLATION) {
      content = "{\"entities\":\"" + extraction.entities().size() + " found\",\"note\":true}";
    }
    boolean reasoning = reasoningModels.contains(model);
    ObjectNode message = mapper.createObjectNode().put("role", "assistant");
    // Reasoning models answer in reasoning_content and leave content null.
    message.put("content", reasoning ? null : content);
    if (reasoning && kind != FaultKind.NULL_CONTENT) {
      message.put("reasoning_content", content);
    }
    message.putNull("refusal");
    message.putArray("annotations");
    ObjectNode response = mapper.createObjectNode();
    response.put("id", "chatcmpl-" + UUID.randomUUID().toString().replace("-", ""));
    response.put("object", "chat.completion");
    response.put("created", System.currentTimeMillis() / 1000);
    response.put("model", model);
    ObjectNode choice = response.putArray("choices").addObject();
    choice.put("index", 0);
    choice.set("message", message);
    choice.putNull("logprobs");
    choice.put("finish_reason", finish);
    int promptTokens = Math.max(1, prompt.length() / 4);
    int completionTokens = content == null ? 0 : Math.max(1, content.length() / 4);
    int reasoningTokens = reasoning ? 64 : 0;
    ObjectNode usage = response.putObject("usage");
    usage.put("prompt_tokens", promptTokens);
    usage.put("completion_tokens", completionTokens + reasoningTokens);
    usage.put("total_tokens", promptTokens + completionTokens + reasoningTokens);
    usage.putObject("completion_tokens_details").put("reasoning_tokens", reasoningTokens);
    response.put("system_fingerprint", "fp_simulator");
    return Response.ok(response, MediaType.APPLICATION_JSON).build();
  }

  private String content(Extraction extraction, JsonNode format) {
    String type = format.path("type").asText("text");
    try {
      return switch (type) {
        case "json_schema" ->
            mapper.writeValueAsString(
                SchemaAnswer.fill(format.path("json_schema").path("schema"), extraction));
        case "json_object" -> mapper.writeValueAsString(SchemaAnswer.plain(extraction));
        default -> {
          StringBuilder text = new StringBuilder("Entities found:");
          extraction
              .entities()
              .forEach(
                  e ->
                      text.append(" ").append(e.name()).append(" (").append(e.type()).append(");"));
          yield text.toString();
        }
      };
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("could not write the answer as JSON", e);
    }
  }

  private static void failIfFaulted(String model, FaultRule fault) {
    if (fault == null) {
      return;
    }
    String retryAfter = Integer.toString(fault.retryAfterSeconds());
    switch (fault.kind()) {
      case THROTTLE ->
          throw new OpenAiException(
              429,
              "Rate limit reached for "
                  + model
                  + " on requests per min (RPM): Limit 500, Used 500, Requested 1. Please try again in "
                  + retryAfter
                  + "s.",
              "requests",
              null,
              "rate_limit_exceeded",
              Map.of("retry-after", retryAfter, "x-ratelimit-remaining-requests", "0"));
      case SERVER_ERROR ->
          throw new OpenAiException(
              500,
              "The server had an error while processing your request. Sorry about that!",
              "server_error",
              null,
              null);
      case UNAVAILABLE ->
          throw new OpenAiException(
              503,
              "The engine is currently overloaded, please try again later.",
              "server_error",
              null,
              null,
              Map.of("retry-after", retryAfter));
      case GATEWAY_TIMEOUT ->
          throw new OpenAiException(504, "Gateway timeout.", "server_error", null, null);
      default -> {
        // content faults shape the answer; latency, hang and reset were played out before
      }
    }
  }

  private JsonNode parse(String body) {
    try {
      JsonNode node = body == null || body.isBlank() ? null : mapper.readTree(body);
      if (node == null || !node.isObject()) {
        throw OpenAiException.invalidRequest("The request body must be a JSON object.", null);
      }
      return node;
    } catch (JsonProcessingException e) {
      throw OpenAiException.invalidRequest(
          "We could not parse the JSON body of your request. (HINT: This likely means you aren't"
              + " using your HTTP library correctly. The OpenAI API expects a JSON payload.)",
          null);
    }
  }

  /** All message text, string or content-part arrays alike. */
  private static String prompt(JsonNode request) {
    JsonNode messages = request.path("messages");
    if (!messages.isArray() || messages.isEmpty()) {
      throw OpenAiException.invalidRequest(
          "Invalid 'messages': empty array. Expected an array with minimum length 1.", "messages");
    }
    StringBuilder text = new StringBuilder();
    for (JsonNode m : messages) {
      JsonNode content = m.path("content");
      if (content.isTextual()) {
        text.append(content.asText()).append('\n');
      } else if (content.isArray()) {
        for (JsonNode part : content) {
          text.append(part.path("text").asText("")).append('\n');
        }
      }
    }
    return text.toString();
  }
}
