package io.backfill.fetcher.graph;

import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;

/**
 * Mailbox slots counted in this process only: right for one fetcher instance and for tests of the
 * pager; {@link io.backfill.fetcher.persistence.PostgresMailboxPermits} is what the service uses.
 */
public class InProcessMailboxPermits implements MailboxPermits {

  private final int perMailbox;
  private final Map<String, Semaphore> permits = new ConcurrentHashMap<>();

  public InProcessMailboxPermits(int perMailbox) {
    this.perMailbox = perMailbox;
  }

  @Override
  public Slot acquire(String mailbox) throws InterruptedException {
    Semaphore semaphore =
        permits.computeIfAbsent(
            mailbox.toLowerCase(Locale.ROOT), ignored -> new Semaphore(perMailbox, true));
    semaphore.acquire();
    return semaphore::release;
  }
}
