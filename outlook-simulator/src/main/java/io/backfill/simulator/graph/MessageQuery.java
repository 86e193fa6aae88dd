package io.backfill.simulator.graph;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The OData query options of a message list, validated as Graph validates them: {@code $top}
 * (1..1000, default 10), {@code $select}, {@code $orderby=receivedDateTime [asc|desc]}, {@code
 * $count}, {@code $filter} on receivedDateTime (and hasAttachments) and {@code $skiptoken}.
 *
 * @param from lower bound on receivedDateTime, or null
 * @param to upper bound on receivedDateTime, or null
 * @param hasAttachments required value of hasAttachments, or null
 */
public record MessageQuery(
    int top,
    List<String> select,
    boolean descending,
    boolean count,
    Instant from,
    boolean fromInclusive,
    Instant to,
    boolean toInclusive,
    Boolean hasAttachments,
    SkipToken skipToken) {

  /** Graph's page size when {@code $top} is absent. */
  public static final int DEFAULT_TOP = 10;

  public static final int MAX_TOP = 1000;

  /** Properties of microsoft.graph.message that the simulator serves. */
  public static final Set<String> PROPERTIES =
      Set.of(
          "id",
          "createdDateTime",
          "lastModifiedDateTime",
          "changeKey",
          "categories",
          "receivedDateTime",
          "sentDateTime",
          "hasAttachments",
          "internetMessageId",
          "subject",
          "bodyPreview",
          "importance",
          "parentFolderId",
          "conversationId",
          "isRead",
          "isDraft",
          "webLink",
          "inferenceClassification",
          "body",
          "sender",
          "from",
          "toRecipients",
          "ccRecipients",
          "bccRecipients",
          "replyTo");

  private static final Set<String> OPTIONS =
      Set.of("$top", "$select", "$orderby", "$count", "$filter", "$skiptoken");
  private static final Pattern CLAUSE =
      Pattern.compile("^\\s*([A-Za-z/]+)\\s+(eq|ne|ge|gt|le|lt)\\s+(.+?)\\s*$");
  private static final Pattern AND = Pattern.compile("\\s+and\\s+");
  private static final Map<String, String> OPERATOR_KINDS =
      Map.of(
          "ge", "GreaterThanOrEqual",
          "gt", "GreaterThan",
          "le", "LessThanOrEqual",
          "lt", "LessThan",
          "eq", "Equal",
          "ne", "NotEqual");

  /** Parses the query options; every invalid one is a 400 with Graph's code and message. */
  public static MessageQuery parse(Map<String, String> options) {
    for (String name : options.keySet()) {
      if (name.startsWith("$") && !OPTIONS.contains(name)) {
        throw GraphException.badRequest(
            "Query option '" + name + "' is not supported by this simulator.");
      }
    }
    Builder query = new Builder();
    query.top = top(options.get("$top"));
    query.select = select(options.get("$select"));
    String orderBy = options.get("$orderby");
    if (orderBy != null) {
      query.descending = orderByDescending(orderBy);
    }
    query.count = bool("$count", options.get("$count"));
    String filter = options.get("$filter");
    if (filter != null) {
      query.filter(filter, orderBy != null);
    }
    String skip = options.get("$skiptoken");
    query.skipToken = skip == null ? null : SkipToken.decode(skip);
    return query.build();
  }

  private static int top(String value) {
    if (value == null) {
      return DEFAULT_TOP;
    }
    int top;
    try {
      top = Integer.parseInt(value.trim());
    } catch (NumberFormatException e) {
      throw GraphException.badRequest("Invalid value '" + value + "' for query option $top.");
    }
    if (top < 1 || top > MAX_TOP) {
      throw GraphException.badRequest(
          "Invalid value '" + value + "' for query option $top: it must be from 1 to 1000.");
    }
    return top;
  }

  private static List<String> select(String value) {
    if (value == null) {
      return null;
    }
    List<String> fields = new ArrayList<>();
    for (String field : value.split(",")) {
      String name = field.trim();
      if (!PROPERTIES.contains(name)) {
        throw unknownProperty(name);
      }
      fields.add(name);
    }
    return fields;
  }

  private static boolean orderByDescending(String value) {
    String[] parts = value.trim().split("\\s+");
    if (parts.length > 2 || (parts.length == 2 && !parts[1].matches("(?i)asc|desc"))) {
      throw GraphException.badRequest("Syntax error in $orderby: '" + value + "'.");
    }
    if (!parts[0].equals("receivedDateTime")) {
      if (!PROPERTIES.contains(parts[0])) {
        throw unknownProperty(parts[0]);
      }
      throw GraphException.badRequest(
          "Ordering by '" + parts[0] + "' is not supported by this simulator.");
    }
    return parts.length == 2 && parts[1].equalsIgnoreCase("desc");
  }

  private static boolean bool(String option, String value) {
    if (value == null || value.equals("false")) {
      return false;
    }
    if (value.equals("true")) {
      return true;
    }
    throw GraphException.badRequest(
        "Invalid value '" + value + "' for query option " + option + ".");
  }

  static GraphException unknownProperty(String name) {
    return new GraphException(
        400,
        "RequestBroker--ParseUri",
        "Could not find a property named '" + name + "' on type 'microsoft.graph.message'.");
  }

  private static final class Builder {
    int top;
    List<String> select;
    // Graph lists mail newest first unless told otherwise.
    boolean descending = true;
    boolean count;
    Instant from;
    boolean fromInclusive;
    Instant to;
    boolean toInclusive;
    Boolean hasAttachments;
    SkipToken skipToken;

    void filter(String filter, boolean ordered) {
      String[] clauses = AND.split(filter.trim());
      for (int i = 0; i < clauses.length; i++) {
        Matcher m = CLAUSE.matcher(clauses[i]);
        if (!m.matches()) {
          throw GraphException.badRequest(
              "Invalid filter clause: syntax error in '" + clauses[i].trim() + "'.");
        }
        String property = m.group(1);
        String operator = m.group(2);
        String literal = m.group(3);
        if (!PROPERTIES.contains(property)) {
          throw new GraphException(
              400,
              "BadRequest",
              "Invalid filter clause: Could not find a property named '"
                  + property
                  + "' on type 'microsoft.graph.message'.");
        }
        // Graph: a property in $orderby must also be the first one in $filter.
        if (ordered && i == 0 && !property.equals("receivedDateTime")) {
          throw new GraphException(
              400,
              "InefficientFilter",
              "The restriction or sort order is too complex for this operation.");
        }
        switch (property) {
          case "receivedDateTime" -> receivedClause(operator, literal);
          case "hasAttachments" -> attachmentsClause(operator, literal);
          default ->
              throw GraphException.badRequest(
                  "Invalid filter clause: filtering on '"
                      + property
                      + "' is not supported by this simulator.");
        }
      }
    }

    private void receivedClause(String operator, String literal) {
      if (literal.startsWith("'") || literal.startsWith("\"")) {
        throw GraphException.badRequest(
            "Invalid filter clause: A binary operator with incompatible types was detected. Found"
                + " operand types 'Edm.DateTimeOffset' and 'Edm.String' for operator kind '"
                + OPERATOR_KINDS.get(operator)
                + "'.");
      }
      Instant instant;
      try {
        instant = OffsetDateTime.parse(literal).toInstant();
      } catch (DateTimeParseException e) {
        throw GraphException.badRequest(
            "Invalid filter clause: The DateTimeOffset text '"
                + literal
                + "' should be in format 'yyyy-mm-ddThh:mm:ss('.'s+)?(zzzzzz)?' and each field"
                + " value is within valid range.");
      }
      switch (operator) {
        case "ge", "gt" -> {
          from = instant;
          fromInclusive = operator.equals("ge");
        }
        case "le", "lt" -> {
          to = instant;
          toInclusive = operator.equals("le");
        }
        default ->
            throw GraphException.badRequest(
                "Invalid filter clause: operator '"
                    + operator
                    + "' on receivedDateTime is not supported by this simulator; use ge, gt, le or lt.");
      }
    }

    private void attachmentsClause(String operator, String literal) {
      String value = literal.toLowerCase(Locale.ROOT);
      if (!operator.equals("eq") || !(value.equals("true") || value.equals("false"))) {
        throw GraphException.badRequest(
            "Invalid filter clause: hasAttachments supports only 'eq true' or 'eq false'.");
      }
      hasAttachments = Boolean.valueOf(value);
    }

    MessageQuery build() {
      return new MessageQuery(
          top,
          select,
          descending,
          count,
          from,
          fromInclusive,
          to,
          toInclusive,
          hasAttachments,
          skipToken);
    }
  }
}
