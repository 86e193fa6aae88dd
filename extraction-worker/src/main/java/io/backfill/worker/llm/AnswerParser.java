package io.backfill.worker.llm;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the model's answer against {@link #SCHEMA}: strictly first, then repaired — a Markdown
 * fence or prose around the JSON removed, a JSON cut short (finish_reason {@code length}) closed
 * after its last complete element. What still does not fit the schema is {@link Invalid}.
 */
public final class AnswerParser {

  static final Set<String> ENTITY_TYPES = Set.of("PERSON", "ORGANIZATION");
  static final Set<String> RELATIONS = Set.of("WORKS_AT", "EMAILED");

  /**
   * The JSON schema sent as {@code response_format}, strict as OpenAI's structured outputs want.
   */
  public static final JsonNode SCHEMA = schema();

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern FENCE =
      Pattern.compile("```[a-zA-Z]*\\s*(.*?)\\s*(```|$)", Pattern.DOTALL);

  private AnswerParser() {}

  /** A parsed answer, and whether it needed repair. */
  public record Parsed(LlmAnswer answer, boolean repaired) {}

  /** The content is not an answer that fits the schema, even repaired. */
  public static final class Invalid extends Exception {
    Invalid(String reason) {
      super(reason, null, false, false);
    }
  }

  public static Parsed parse(String messageId, String content) throws Invalid {
    String trimmed = content.trim();
    String strictFailure;
    try {
      return new Parsed(read(messageId, JSON.readTree(trimmed)), false);
    } catch (JsonProcessingException e) {
      strictFailure = "not JSON: " + e.getOriginalMessage();
    } catch (Invalid e) {
      // Valid JSON that breaks the schema is not "slightly broken": no repair guesses its meaning.
      throw e;
    }
    String unwrapped = unwrap(trimmed);
    try {
      return new Parsed(read(messageId, JSON.readTree(unwrapped)), true);
    } catch (JsonProcessingException e) {
      // Cut short: close it after its last complete element.
    }
    // The longest closed prefix that fits the schema: a cut inside an element drops that element.
    Invalid last = new Invalid(strictFailure);
    for (JsonNode closed : closeTruncated(unwrapped)) {
      try {
        return new Parsed(read(messageId, closed), true);
      } catch (Invalid e) {
        last = e;
      }
    }
    throw last;
  }

  /** Removes a Markdown fence, or prose before the first and after the last brace. */
  static String unwrap(String content) {
    Matcher fence = FENCE.matcher(content);
    String inner = fence.find() ? fence.group(1) : content;
    int start = inner.indexOf('{');
    if (start < 0) {
      return inner;
    }
    int end = inner.lastIndexOf('}');
    return end > start ? inner.substring(start, end + 1) : inner.substring(start);
  }

  /**
   * The prefixes of a JSON text cut short that end after a complete value, with their open arrays
   * and objects closed and parsed, longest first.
   */
  static List<JsonNode> closeTruncated(String text) {
    // Cut points: after an opening bracket, and after a complete value (before a ',', after a
    // closer).
    List<Integer> cuts = new ArrayList<>();
    Deque<Character> open = new ArrayDeque<>();
    boolean inString = false;
    boolean escaped = false;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (inString) {
        if (escaped) {
          escaped = false;
        } else if (c == '\\') {
          escaped = true;
        } else if (c == '"') {
          inString = false;
        }
        continue;
      }
      switch (c) {
        case '"' -> inString = true;
        case '{', '[' -> {
          open.push(c);
          // Closed right away, an opened array is empty: an answer cut in its first element.
          cuts.add(i + 1);
        }
        case '}', ']' -> {
          if (!open.isEmpty()) {
            open.pop();
          }
          cuts.add(i + 1);
        }
        case ',' -> cuts.add(i);
        default -> {}
      }
    }
    List<JsonNode> closed = new ArrayList<>();
    for (int k = cuts.size() - 1; k >= 0; k--) {
      String prefix = text.substring(0, cuts.get(k));
      String candidate = prefix + closers(prefix);
      try {
        JsonNode node = JSON.readTree(candidate);
        if (node != null && node.isObject()) {
          closed.add(node);
        }
      } catch (JsonProcessingException e) {
        // An earlier cut point may close cleanly.
      }
    }
    return closed;
  }

  private static String closers(String prefix) {
    Deque<Character> open = new ArrayDeque<>();
    boolean inString = false;
    boolean escaped = false;
    for (int i = 0; i < prefix.length(); i++) {
      char c = prefix.charAt(i);
      if (inString) {
        if (escaped) {
          escaped = false;
        } else if (c == '\\') {
          escaped = true;
        } else if (c == '"') {
          inString = false;
        }
        continue;
      }
      if (c == '"') {
        inString = true;
      } else if (c == '{' || c == '[') {
        open.push(c);
      } else if ((c == '}' || c == ']') && !open.isEmpty()) {
        open.pop();
      }
    }
    StringBuilder closing = new StringBuilder();
    while (!open.isEmpty()) {
      closing.append(open.pop() == '{' ? '}' : ']');
    }
    return closing.toString();
  }

  private static LlmAnswer read(String messageId, JsonNode root) throws Invalid {
    if (root == null || !root.isObject()) {
      throw new Invalid("schema violation: the answer is not a JSON object");
    }
    JsonNode entities = root.get("entities");
    if (entities == null || !entities.isArray()) {
      throw new Invalid("schema violation: 'entities' is not an array");
    }
    List<LlmAnswer.Found> found = new ArrayList<>();
    for (JsonNode e : entities) {
      String name = text(e, "name");
      String type = text(e, "type");
      if (name == null || type == null || !ENTITY_TYPES.contains(type.toUpperCase(Locale.ROOT))) {
        throw new Invalid("schema violation: an entity without a name or a known type: " + e);
      }
      found.add(new LlmAnswer.Found(name, type.toUpperCase(Locale.ROOT), text(e, "email")));
    }
    // A missing relationships array (an answer cut after its entities) reads as none.
    JsonNode relationships = root.path("relationships");
    if (!relationships.isMissingNode() && !relationships.isArray()) {
      throw new Invalid("schema violation: 'relationships' is not an array");
    }
    List<LlmAnswer.Link> links = new ArrayList<>();
    for (JsonNode r : relationships) {
      String source = text(r, "source");
      String relation = text(r, "relation");
      String target = text(r, "target");
      if (source == null || target == null || relation == null) {
        throw new Invalid("schema violation: a relationship without source, relation or target");
      }
      links.add(new LlmAnswer.Link(source, relation.toUpperCase(Locale.ROOT), target));
    }
    return new LlmAnswer(messageId, found, links);
  }

  private static String text(JsonNode node, String field) {
    JsonNode value = node.get(field);
    if (value == null || !value.isTextual() || value.asText().isBlank()) {
      return null;
    }
    return value.asText().trim();
  }

  private static JsonNode schema() {
    JsonNodeFactory f = JsonNodeFactory.instance;
    ObjectNode entity = f.objectNode().put("type", "object");
    ObjectNode ep = entity.putObject("properties");
    ep.putObject("name").put("type", "string");
    ObjectNode type = ep.putObject("type").put("type", "string");
    ArrayNode types = type.putArray("enum");
    types.add("PERSON").add("ORGANIZATION");
    ObjectNode email = ep.putObject("email");
    email.putArray("type").add("string").add("null");
    email.put("description", "a person's mail address or an organisation's domain");
    entity.putArray("required").add("name").add("type").add("email");
    entity.put("additionalProperties", false);

    ObjectNode link = f.objectNode().put("type", "object");
    ObjectNode lp = link.putObject("properties");
    lp.putObject("source").put("type", "string");
    ObjectNode relation = lp.putObject("relation").put("type", "string");
    relation.putArray("enum").add("WORKS_AT").add("EMAILED");
    lp.putObject("target").put("type", "string");
    link.putArray("required").add("source").add("relation").add("target");
    link.put("additionalProperties", false);

    ObjectNode root = f.objectNode().put("type", "object");
    ObjectNode rp = root.putObject("properties");
    rp.putObject("entities").put("type", "array").set("items", entity);
    rp.putObject("relationships").put("type", "array").set("items", link);
    root.putArray("required").add("entities").add("relationships");
    root.put("additionalProperties", false);
    return root;
  }
}
