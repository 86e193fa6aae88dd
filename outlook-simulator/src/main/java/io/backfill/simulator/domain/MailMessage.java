package io.backfill.simulator.domain;

import java.time.Instant;
import java.util.List;

/**
 * One generated message. Bodies are kept as text; the HTML form is derived when asked for, as Graph
 * converts between the two on request.
 */
public record MailMessage(
    String id,
    String internetMessageId,
    String conversationId,
    String folder,
    String subject,
    Person from,
    List<Person> toRecipients,
    List<Person> ccRecipients,
    Instant sentDateTime,
    Instant receivedDateTime,
    boolean hasAttachments,
    String textBody,
    GroundTruth groundTruth) {

  public MailMessage {
    toRecipients = List.copyOf(toRecipients);
    ccRecipients = List.copyOf(ccRecipients);
  }

  /** Paging order: received time, then id so equal times still have one order. */
  public int compareKey(Instant received, String otherId) {
    int byTime = receivedDateTime.compareTo(received);
    return byTime != 0 ? byTime : id.compareTo(otherId);
  }
}
