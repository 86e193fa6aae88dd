package io.backfill.contracts.event;

import java.time.Instant;
import java.util.List;

/**
 * One mail message as the fetcher publishes it: the full text body up to the fetcher's limit (never
 * Graph's 255-character preview), with {@code bodyTruncated} set when it was cut.
 */
public record MailMessage(
    String id,
    @OptionalField String internetMessageId,
    @OptionalField String conversationId,
    @OptionalField String subject,
    Instant receivedAt,
    @OptionalField Instant sentAt,
    @OptionalField Recipient from,
    List<Recipient> to,
    List<Recipient> cc,
    String body,
    boolean bodyTruncated) {

  public MailMessage {
    Require.text(id, "id");
    Require.present(receivedAt, "receivedAt");
    to = Require.list(to, "to");
    cc = Require.list(cc, "cc");
    Require.present(body, "body");
  }
}
