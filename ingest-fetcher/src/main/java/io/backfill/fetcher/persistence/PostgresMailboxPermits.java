package io.backfill.fetcher.persistence;

import io.backfill.contracts.retry.Backoff;
import io.backfill.fetcher.config.GraphConfig;
import io.backfill.fetcher.graph.GraphUnavailable;
import io.backfill.fetcher.graph.MailboxPermits;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.locks.LockSupport;
import javax.sql.DataSource;
import org.jboss.logging.Logger;

/**
 * Mailbox slots shared by every fetcher instance on the database (decision 0012): slot {@code s} of
 * a mailbox is the session advisory lock {@code (hashtext('backfill.mailbox:' || mailbox), s)}. A
 * request holds one database connection with the lock for as long as the Graph call lasts, and
 * unlocks when it ends. A process that dies loses its sessions, and PostgreSQL frees the locks at
 * once: no lease to expire, no row to clean up. When all slots are taken the caller polls with a
 * short jittered pause; another instance's slot frees within one Graph call (bounded by the read
 * timeout).
 *
 * <p>Two mailboxes whose names hash alike share slots: a rare over-restriction, never an excess.
 * The connection pool must be larger than {@code max-concurrent-attempts}: each attempt holds at
 * most one connection here at a time.
 */
@ApplicationScoped
public class PostgresMailboxPermits implements MailboxPermits {

  private static final Logger LOG = Logger.getLogger(PostgresMailboxPermits.class);
  // LIMIT 1 over the series stops at the first slot that locks, so no other slot is taken.
  private static final String TRY_LOCK =
      "SELECT (s + ?) % ? FROM generate_series(0, ? - 1) AS s"
          + " WHERE pg_try_advisory_lock(hashtext(?), (s + ?) % ?) LIMIT 1";
  private static final String UNLOCK = "SELECT pg_advisory_unlock(hashtext(?), ?)";
  private static final Duration MIN_PAUSE = Duration.ofMillis(20);
  private static final Duration MAX_PAUSE = Duration.ofMillis(200);
  // Polls for a free slot until one is: contracts' backoff, doubling to the cap, full jitter so
  // instances waiting for one mailbox do not poll in step.
  private static final Backoff POLL = Backoff.of(MIN_PAUSE, 2.0, MAX_PAUSE, Integer.MAX_VALUE);

  private final DataSource dataSource;
  private final int perMailbox;
  private final Counter waits;

  @Inject
  PostgresMailboxPermits(DataSource dataSource, GraphConfig config, MeterRegistry registry) {
    this(dataSource, config.maxConcurrentPerMailbox(), registry);
  }

  public PostgresMailboxPermits(DataSource dataSource, int perMailbox, MeterRegistry registry) {
    this.dataSource = dataSource;
    this.perMailbox = perMailbox;
    this.waits =
        Counter.builder("backfill_fetcher_mailbox_slot_waits_total")
            .description("Times a Graph request found all of its mailbox's slots taken and waited")
            .register(registry);
  }

  @Override
  public Slot acquire(String mailbox) throws InterruptedException {
    boolean counted = false;
    for (int poll = 1; ; poll++) {
      Optional<Slot> slot = tryAcquire(mailbox);
      if (slot.isPresent()) {
        return slot.get();
      }
      if (!counted) {
        waits.increment();
        counted = true;
      }
      LockSupport.parkNanos(POLL.delay(poll).toNanos());
      if (Thread.interrupted()) {
        throw new InterruptedException("waiting for a slot of " + mailbox);
      }
    }
  }

  /** A free slot of the mailbox now, or empty when all are taken (by any instance). */
  public Optional<Slot> tryAcquire(String mailbox) {
    String key = "backfill.mailbox:" + mailbox.toLowerCase(Locale.ROOT);
    Connection connection = null;
    try {
      connection = dataSource.getConnection();
      connection.setAutoCommit(true);
      Integer slot = null;
      try (PreparedStatement lock = connection.prepareStatement(TRY_LOCK)) {
        // Start at a random slot so instances do not all contend for slot 0 first.
        int offset = ThreadLocalRandom.current().nextInt(perMailbox);
        lock.setInt(1, offset);
        lock.setInt(2, perMailbox);
        lock.setInt(3, perMailbox);
        lock.setString(4, key);
        lock.setInt(5, offset);
        lock.setInt(6, perMailbox);
        try (ResultSet rows = lock.executeQuery()) {
          if (rows.next()) {
            slot = rows.getInt(1);
          }
        }
      }
      if (slot == null) {
        connection.close();
        return Optional.empty();
      }
      return Optional.of(new Held(connection, key, slot));
    } catch (SQLException e) {
      discard(connection);
      throw new GraphUnavailable(
          "could not take a request slot of mailbox " + mailbox + ": " + e.getMessage(), e);
    }
  }

  private static void discard(Connection connection) {
    if (connection == null) {
      return;
    }
    try {
      // A connection that may still hold a lock must not go back to the pool.
      connection.abort(Runnable::run);
    } catch (SQLException e) {
      LOG.warnf("could not discard a database connection: %s", e.getMessage());
    }
  }

  /** A held slot: its session keeps the lock until unlocked here. */
  private static final class Held implements Slot {

    private final Connection connection;
    private final String key;
    private final int slot;

    Held(Connection connection, String key, int slot) {
      this.connection = connection;
      this.key = key;
      this.slot = slot;
    }

    @Override
    public void close() {
      try (PreparedStatement unlock = connection.prepareStatement(UNLOCK)) {
        unlock.setString(1, key);
        unlock.setInt(2, slot);
        try (ResultSet rows = unlock.executeQuery()) {
          rows.next();
        }
        connection.close();
      } catch (SQLException e) {
        LOG.warnf(
            "could not free slot %d of %s (%s); discarding its connection",
            slot, key, e.getMessage());
        discard(connection);
      }
    }
  }
}
