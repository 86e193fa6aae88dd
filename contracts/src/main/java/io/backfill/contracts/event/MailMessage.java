package io.backfill.contracts.event;

import java.time.Instant;
import java.util.List;

/**
 * One mail message as the fetcher publishes it: the full text body up to the fetcher's limit (never
 * Graph's 255-character preview), with {@code bodyTruncated} set when it was cut.
 *
 * @param folderId Graph's {@code parentFolderId}: the folder the message was in when fetched
 * @param changeKey Graph's version of the message; a message whose changeKey did not change since
 *     it was last extracted needs no new extraction
 * @param lastModifiedAt Graph's {@code lastModifiedDateTime}
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
    boolean bodyTruncated,
    @OptionalField String folderId,
    @OptionalField String changeKey,
    @OptionalField Instant lastModifiedAt) {

  /** A message without Graph's folder and version properties. */
  public MailMessage(
      String id,
      String internetMessageId,
      String conversationId,
      String subject,
      Instant receivedAt,
      Instant sentAt,
      Recipient from,
      List<Recipient> to,
      List<Recipient> cc,
      String body,
      boolean bodyTruncated) {
    this(
        id,
        internetMessageId,
        conversationId,
        subject,
        receivedAt,
        sentAt,
        from,
        to,
        cc,
        body,
        bodyTruncated,
        null,
        null,
        null);
  }

  public MailMessage {
    Require.text(id, "id");
    Require.present(receivedAt, "receivedAt");
    to = Require.list(to, "to");
    cc = Require.list(cc, "cc");
    Require.present(body, "body");
  }
}
