package io.backfill.fetcher.graph;

import com.fasterxml.jackson.databind.JsonNode;
import io.backfill.contracts.event.MailMessage;
import io.backfill.contracts.event.Recipient;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;

/**
 * Graph's message JSON (the {@link #SELECT}ed properties) as the contract's {@link MailMessage}.
 */
public final class GraphMessageMapper {

  /** What the fetcher asks Graph for: the full body, never the 255-character bodyPreview. */
  public static final String SELECT =
      "id,internetMessageId,conversationId,subject,receivedDateTime,sentDateTime,from,"
          + "toRecipients,ccRecipients,body,parentFolderId,changeKey,lastModifiedDateTime";

  private GraphMessageMapper() {}

  public static MailMessage map(JsonNode m, int maxBodyBytes) {
    String content = text(m.path("body"), "content");
    BodyText body = BodyText.of(content == null ? "" : content, maxBodyBytes);
    return new MailMessage(
        text(m, "id"),
        text(m, "internetMessageId"),
        text(m, "conversationId"),
        text(m, "subject"),
        instant(text(m, "receivedDateTime")),
        instant(text(m, "sentDateTime")),
        recipient(m.path("from")),
        recipients(m.path("toRecipients")),
        recipients(m.path("ccRecipients")),
        body.text(),
        body.truncated(),
        text(m, "parentFolderId"),
        text(m, "changeKey"),
        instant(text(m, "lastModifiedDateTime")));
  }

  /** A body cut to at most {@code maxBytes} of UTF-8, never inside a character. */
  public record BodyText(String text, boolean truncated) {

    public static BodyText of(String text, int maxBytes) {
      if (text.length() * 3L <= maxBytes
          || text.getBytes(StandardCharsets.UTF_8).length <= maxBytes) {
        return new BodyText(text, false);
      }
      int bytes = 0;
      int end = 0;
      while (end < text.length()) {
        int cp = text.codePointAt(end);
        int size = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
        if (bytes + size > maxBytes) {
          break;
        }
        bytes += size;
        end += Character.charCount(cp);
      }
      return new BodyText(text.substring(0, end), true);
    }
  }

  private static Recipient recipient(JsonNode node) {
    String address = text(node.path("emailAddress"), "address");
    // Graph leaves the address out for some system senders; such a party names no one.
    if (address == null || address.isBlank()) {
      return null;
    }
    return new Recipient(text(node.path("emailAddress"), "name"), address);
  }

  private static List<Recipient> recipients(JsonNode array) {
    List<Recipient> list = new ArrayList<>();
    for (JsonNode node : array) {
      Recipient r = recipient(node);
      if (r != null) {
        list.add(r);
      }
    }
    return list;
  }

  private static String text(JsonNode node, String field) {
    JsonNode value = node.get(field);
    return value == null || value.isNull() ? null : value.asText();
  }

  private static Instant instant(String value) {
    return value == null ? null : OffsetDateTime.parse(value).toInstant();
  }
}
