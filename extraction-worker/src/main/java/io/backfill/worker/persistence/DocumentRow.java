package io.backfill.worker.persistence;

import io.backfill.contracts.event.Recipient;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/** One document as stored: a mail message and when and how often it was extracted. */
public record DocumentRow(
    String tenantId,
    String messageId,
    UUID jobId,
    String runId,
    int seq,
    String internetMessageId,
    String conversationId,
    String subject,
    Instant receivedAt,
    Instant sentAt,
    String fromName,
    String fromAddress,
    List<Recipient> to,
    List<Recipient> cc,
    String body,
    boolean bodyTruncated,
    Instant firstExtractedAt,
    Instant lastExtractedAt,
    int extractionCount) {

  /** The row without its extraction bookkeeping: what must not change on a redelivery. */
  public DocumentRow content() {
    return new DocumentRow(
        tenantId,
        messageId,
        jobId,
        runId,
        seq,
        internetMessageId,
        conversationId,
        subject,
        receivedAt,
        sentAt,
        fromName,
        fromAddress,
        to,
        cc,
        body,
        bodyTruncated,
        firstExtractedAt,
        null,
        0);
  }
}
