package io.backfill.fetcher.graph;

import io.backfill.fetcher.config.GraphConfig;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;

/**
 * At most {@code backfill.graph.max-concurrent-per-mailbox} Graph requests per mailbox at once in
 * this process: Outlook answers 429 MailboxConcurrency past 4. Across fetcher instances this is not
 * coordinated yet.
 */
@ApplicationScoped
public class MailboxPermits {

  private final int perMailbox;
  private final Map<String, Semaphore> permits = new ConcurrentHashMap<>();

  MailboxPermits(GraphConfig config) {
    this.perMailbox = config.maxConcurrentPerMailbox();
  }

  /** Blocks until the mailbox has a free slot. */
  public void acquire(String mailbox) throws InterruptedException {
    semaphore(mailbox).acquire();
  }

  public void release(String mailbox) {
    semaphore(mailbox).release();
  }

  /** Requests to the mailbox in flight now. */
  public int inFlight(String mailbox) {
    return perMailbox - semaphore(mailbox).availablePermits();
  }

  private Semaphore semaphore(String mailbox) {
    return permits.computeIfAbsent(
        mailbox.toLowerCase(Locale.ROOT), ignored -> new Semaphore(perMailbox, true));
  }
}
