package io.backfill.fetcher.graph;

/**
 * At most {@code backfill.graph.max-concurrent-per-mailbox} Graph requests per mailbox at once:
 * Outlook answers 429 MailboxConcurrency past 4, counting every client of the mailbox.
 */
public interface MailboxPermits {

  /** Blocks until the mailbox has a free slot; close the slot when the request is over. */
  Slot acquire(String mailbox) throws InterruptedException;

  /** One of a mailbox's request slots, held until closed. */
  interface Slot extends AutoCloseable {
    @Override
    void close();
  }
}
