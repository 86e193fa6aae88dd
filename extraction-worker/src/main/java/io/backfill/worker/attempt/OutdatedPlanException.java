package io.backfill.worker.attempt;

import java.util.Set;

/**
 * The write found messages to extract that the attempt did not extract: a chunk of the job that
 * committed after the attempt read the messages' versions changed what they are (a removal, a new
 * version). The attempt extracts them too and writes again.
 */
public class OutdatedPlanException extends RuntimeException {

  private final Set<String> messageIds;

  public OutdatedPlanException(Set<String> messageIds) {
    super("messages to extract that were not extracted: " + messageIds);
    this.messageIds = Set.copyOf(messageIds);
  }

  public Set<String> messageIds() {
    return messageIds;
  }
}
