package io.backfill.simulator.domain;

import java.time.Instant;
import java.util.List;

/**
 * One message. Bodies are kept as text; the HTML form is derived when asked for, as Graph converts
 * between the two on request. Messages never change in place: an update is a new record with a
 * higher {@code version} (the mailbox change-log position of its last change, 0 for generated
 * mail).
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
    GroundTruth groundTruth,
    List<String> categories,
    long version,
    Instant lastModifiedDateTime) {

  public MailMessage {
    toRecipients = List.copyOf(toRecipients);
    ccRecipients = List.copyOf(ccRecipients);
    categories = List.copyOf(categories);
  }

  /** A generated message: no categories, never changed. */
  public MailMessage(
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
    this(
        id,
        internetMessageId,
        conversationId,
        folder,
        subject,
        from,
        toRecipients,
        ccRecipients,
        sentDateTime,
        receivedDateTime,
        hasAttachments,
        textBody,
        groundTruth,
        List.of(),
        0,
        receivedDateTime);
  }

  /** The same message at a new change-log position (a delivery or a change). */
  public MailMessage at(long newVersion, Instant modified) {
    return new MailMessage(
        id,
        internetMessageId,
        conversationId,
        folder,
        subject,
        from,
        toRecipients,
        ccRecipients,
        sentDateTime,
        receivedDateTime,
        hasAttachments,
        textBody,
        groundTruth,
        categories,
        newVersion,
        modified);
  }

  /** Changed content (null keeps a field); the caller sets the version with {@link #at}. */
  public MailMessage edited(
      String newSubject, String newBody, List<String> newCategories, GroundTruth newTruth) {
    return new MailMessage(
        id,
        internetMessageId,
        conversationId,
        folder,
        newSubject == null ? subject : newSubject,
        from,
        toRecipients,
        ccRecipients,
        sentDateTime,
        receivedDateTime,
        hasAttachments,
        newBody == null ? textBody : newBody,
        newTruth == null ? groundTruth : newTruth,
        newCategories == null ? categories : newCategories,
        version,
        lastModifiedDateTime);
  }

  /** Moved under Graph's default ids: a new id in another folder. */
  public MailMessage movedTo(String newId, String newFolder) {
    return new MailMessage(
        newId,
        internetMessageId,
        conversationId,
        newFolder,
        subject,
        from,
        toRecipients,
        ccRecipients,
        sentDateTime,
        receivedDateTime,
        hasAttachments,
        textBody,
        groundTruth,
        categories,
        version,
        lastModifiedDateTime);
  }

  /**
   * Graph's changeKey: new with every change. Generated mail keeps the key it always had (a slice
   * of its id); a changed message's key is derived from its id and version.
   */
  public String changeKey() {
    if (version == 0) {
      return id.substring(4, 32);
    }
    return "CQAAAB"
        + Integer.toHexString((id + "/" + version).hashCode())
        + Long.toString(version, 36);
  }

  /** The {@code @odata.etag}, which changes with the changeKey. */
  public String etag() {
    return "W/\"" + (version == 0 ? id.substring(4, 20) : changeKey()) + "\"";
  }

  /** Paging order: received time, then id so equal times still have one order. */
  public int compareKey(Instant received, String otherId) {
    int byTime = receivedDateTime.compareTo(received);
    return byTime != 0 ? byTime : id.compareTo(otherId);
  }
}
