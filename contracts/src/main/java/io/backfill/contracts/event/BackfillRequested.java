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
    @OptionalField String folder)
    implements BackfillRequestEvent {

  public BackfillRequested {
    Require.present(eventId, "eventId");
    Require.schemaVersion(schemaVersion);
    Require.present(occurredAt, "occurredAt");
    Require.text(tenantId, "tenantId");
    Require.text(requestId, "requestId");
    Require.text(mailbox, "mailbox");
    Require.present(from, "from");
    Require.present(to, "to");
  }

  public static BackfillRequested of(
      String tenantId, String requestId, String mailbox, Instant from, Instant to, String folder) {
    return new BackfillRequested(
        UUID.randomUUID(), 1, Instant.now(), tenantId, requestId, mailbox, from, to, folder);
  }

  @Override
  public String key() {
    return tenantId + "/" + mailbox;
  }
}
