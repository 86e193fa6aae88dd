package io.backfill.fetcher.graph;

import io.backfill.contracts.event.MailMessage;
import io.backfill.contracts.event.Recipient;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;

/**
 * Graph's message JSON (the {@link #SELECT}ed properties, read as {@link GraphJson.Message}) as the
 * contract's {@link MailMessage}.
 */
public final class GraphMessageMapper {

  /** What the fetcher asks Graph for: the full body, never the 255-character bodyPreview. */
  public static final String SELECT =
      "id,internetMessageId,conversationId,subject,receivedDateTime,sentDateTime,from,"
          + "toRecipients,ccRecipients,body,parentFolderId,changeKey,lastModifiedDateTime";

  private GraphMessageMapper() {}

  static MailMessage map(GraphJson.Message m, int maxBodyBytes) {
    String content = m.body() == null ? null : m.body().content();
    BodyText body = BodyText.of(content == null ? "" : content, maxBodyBytes);
    return new MailMessage(
        m.id(),
        m.internetMessageId(),
        m.conversationId(),
        m.subject(),
        instant(m.receivedDateTime()),
        instant(m.sentDateTime()),
        recipient(m.from()),
        recipients(m.toRecipients()),
        recipients(m.ccRecipients()),
        body.text(),
        body.truncated(),
        m.parentFolderId(),
        m.changeKey(),
        instant(m.lastModifiedDateTime()));
  }

  /** A body cut to at most {@code maxBytes} of UTF-8, never inside a character. */
  public record BodyText(String text, boolean truncated) {

    /**
     * Counts UTF-8 bytes char by char rather than encoding the body to count them: most bodies are
     * longer than the fast bound, and each got a throwaway encoded copy (JFR P2). An unpaired
     * surrogate counts 3 bytes, so the cut never exceeds the limit however it is encoded.
     */
    public static BodyText of(String text, int maxBytes) {
      int length = text.length();
      if (length * 3L <= maxBytes) {
        return new BodyText(text, false);
      }
      int bytes = 0;
      int end = 0;
      while (end < length) {
        char c = text.charAt(end);
        int chars = 1;
        int size;
        if (c < 0x80) {
          size = 1;
        } else if (c < 0x800) {
          size = 2;
        } else if (Character.isHighSurrogate(c)
            && end + 1 < length
            && Character.isLowSurrogate(text.charAt(end + 1))) {
          size = 4;
          chars = 2;
        } else {
          size = 3;
        }
        if (bytes + size > maxBytes) {
          return new BodyText(text.substring(0, end), true);
        }
        bytes += size;
        end += chars;
      }
      return new BodyText(text, false);
    }
  }

  private static Recipient recipient(GraphJson.Party party) {
    String address =
        party == null || party.emailAddress() == null ? null : party.emailAddress().address();
    // Graph leaves the address out for some system senders; such a party names no one.
    if (address == null || address.isBlank()) {
      return null;
    }
    return new Recipient(party.emailAddress().name(), address);
  }

  private static List<Recipient> recipients(List<GraphJson.Party> parties) {
    List<Recipient> list = new ArrayList<>(parties == null ? 0 : parties.size());
    if (parties != null) {
      for (GraphJson.Party party : parties) {
        Recipient r = recipient(party);
        if (r != null) {
          list.add(r);
        }
      }
    }
    return list;
  }

  private static Instant instant(String value) {
    return value == null ? null : OffsetDateTime.parse(value).toInstant();
  }
}
