package io.backfill.contracts.event;

import java.time.Instant;
import java.util.UUID;

/**
 * A tenant asks for the mail of {@code mailbox} received in [{@code from}, {@code to}).
 *
 * @param requestId chosen by the producer and used for idempotency: the same (tenantId, requestId)
 *     always names the same job
 * @param mailbox a user principal name (address) or a Graph user id (GUID)
 * @param folder a well-known folder name or folder id; all mail when absent
 * @param follow keep the copy current after the history completes (Graph delta rounds); absent
 *     means false. A followed job copies the mail received from {@code from} on, {@code to}
 *     included and beyond: following never drops mail for arriving after the window.
 * @param followIntervalSeconds seconds between a followed job's delta rounds (jittered); absent
 *     means the fetcher's default
 */
public record BackfillRequested(
    UUID eventId,
    int schemaVersion,
    Instant occurredAt,
    String tenantId,
    String requestId,
    String mailbox,
    Instant from,
    Instant to,
    @OptionalField String folder,
    @OptionalField Boolean follow,
    @OptionalField Integer followIntervalSeconds)
    implements BackfillRequestEvent {

  /** The shortest follow interval accepted; Graph's limits make tighter polling a fault. */
  public static final int MIN_FOLLOW_INTERVAL_SECONDS = 1;

  /** The longest follow interval accepted (one day). */
  public static final int MAX_FOLLOW_INTERVAL_SECONDS = 86_400;

  public BackfillRequested {
    Require.present(eventId, "eventId");
    Require.schemaVersion(schemaVersion);
    Require.present(occurredAt, "occurredAt");
    Require.tenantId(tenantId);
    Require.text(requestId, "requestId");
    Require.text(mailbox, "mailbox");
    Require.present(from, "from");
    Require.present(to, "to");
    if (followIntervalSeconds != null) {
      if (!Boolean.TRUE.equals(follow)) {
        throw new IllegalArgumentException("followIntervalSeconds is only for a followed job");
      }
      if (followIntervalSeconds < MIN_FOLLOW_INTERVAL_SECONDS
          || followIntervalSeconds > MAX_FOLLOW_INTERVAL_SECONDS) {
        throw new IllegalArgumentException(
            "followIntervalSeconds must be between "
                + MIN_FOLLOW_INTERVAL_SECONDS
                + " and "
                + MAX_FOLLOW_INTERVAL_SECONDS
                + ", was "
                + followIntervalSeconds);
      }
    }
  }

  /** The request before following existed: not followed. */
  public BackfillRequested(
      UUID eventId,
      int schemaVersion,
      Instant occurredAt,
      String tenantId,
      String requestId,
      String mailbox,
      Instant from,
      Instant to,
      String folder) {
    this(
        eventId,
        schemaVersion,
        occurredAt,
        tenantId,
        requestId,
        mailbox,
        from,
        to,
        folder,
        null,
        null);
  }

  /** True when the job keeps following the mailbox after its history. */
  public boolean followed() {
    return Boolean.TRUE.equals(follow);
  }

  public static BackfillRequested of(
      String tenantId, String requestId, String mailbox, Instant from, Instant to, String folder) {
    return new BackfillRequested(
        UUID.randomUUID(), 1, Instant.now(), tenantId, requestId, mailbox, from, to, folder);
  }

  /** A followed request; {@code followIntervalSeconds} may be null for the fetcher's default. */
  public static BackfillRequested following(
      String tenantId,
      String requestId,
      String mailbox,
      Instant from,
      Instant to,
      String folder,
      Integer followIntervalSeconds) {
    return new BackfillRequested(
        UUID.randomUUID(),
        1,
        Instant.now(),
        tenantId,
        requestId,
        mailbox,
        from,
        to,
        folder,
        true,
        followIntervalSeconds);
  }

  @Override
  public String key() {
    return tenantId + "/" + mailbox;
  }
}
