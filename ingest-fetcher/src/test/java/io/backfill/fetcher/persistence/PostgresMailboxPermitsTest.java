package io.backfill.fetcher.persistence;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.backfill.fetcher.graph.MailboxPermits;
import io.backfill.testkit.Postgres;
import io.backfill.testkit.TestDatabase;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * Mailbox slots shared through PostgreSQL by two permit owners, each with its own connections (as
 * two fetcher processes would have), on a real database.
 */
class PostgresMailboxPermitsTest {

  private static TestDatabase database;

  @BeforeAll
  static void createDatabase() {
    database = Postgres.instance().createDatabase("fperm");
  }

  @AfterAll
  static void dropDatabase() {
    database.drop();
  }

  @Test
  void twoOwnersTogetherNeverHoldMoreThanFourSlotsOfAMailbox() throws Exception {
    PostgresMailboxPermits a = owner("owner-a");
    PostgresMailboxPermits b = owner("owner-b");
    String mailbox = "ana@contoso.com";

    List<MailboxPermits.Slot> held = new ArrayList<>();
    held.add(a.tryAcquire(mailbox).orElseThrow());
    held.add(a.tryAcquire(mailbox).orElseThrow());
    held.add(b.tryAcquire(mailbox).orElseThrow());
    held.add(a.tryAcquire(mailbox).orElseThrow());

    assertThat(b.tryAcquire(mailbox)).isEmpty();
    assertThat(a.tryAcquire(mailbox)).isEmpty();
    // The address is the mailbox whatever its case; another mailbox has slots of its own.
    assertThat(b.tryAcquire("ANA@contoso.com")).isEmpty();
    MailboxPermits.Slot other = b.tryAcquire("bob@contoso.com").orElseThrow();

    CompletableFuture<MailboxPermits.Slot> waiting =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                return b.acquire(mailbox);
              } catch (InterruptedException e) {
                throw new IllegalStateException(e);
              }
            });
    held.remove(0).close();
    MailboxPermits.Slot handedOver = waiting.get(30, TimeUnit.SECONDS);
    assertThat(a.tryAcquire(mailbox)).isEmpty();

    handedOver.close();
    other.close();
    held.forEach(MailboxPermits.Slot::close);
    Optional<MailboxPermits.Slot> free = a.tryAcquire(mailbox);
    assertThat(free).isPresent();
    free.get().close();
  }

  @Test
  void slotsOfAnOwnerWhoseSessionsDieAreFreeAtOnce() throws SQLException {
    PostgresMailboxPermits doomed = owner("owner-doomed");
    PostgresMailboxPermits survivor = owner("owner-survivor");
    String mailbox = "cy@contoso.com";
    for (int i = 0; i < 4; i++) {
      doomed.tryAcquire(mailbox).orElseThrow();
    }
    assertThat(survivor.tryAcquire(mailbox)).isEmpty();

    // What a SIGKILLed fetcher leaves behind: its sessions end without unlocking anything.
    try (Connection admin = dataSource("admin").getConnection();
        PreparedStatement kill =
            admin.prepareStatement(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                    + " WHERE application_name = 'owner-doomed'")) {
      kill.executeQuery().close();
    }

    await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () -> {
              Optional<MailboxPermits.Slot> slot = survivor.tryAcquire(mailbox);
              slot.ifPresent(MailboxPermits.Slot::close);
              return slot.isPresent();
            });
    List<MailboxPermits.Slot> all = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      all.add(survivor.tryAcquire(mailbox).orElseThrow());
    }
    all.forEach(MailboxPermits.Slot::close);
  }

  @Test
  void twelveRequestersOnTwoOwnersNeverExceedFourAtOnce() throws Exception {
    List<PostgresMailboxPermits> owners = List.of(owner("owner-x"), owner("owner-y"));
    String mailbox = "dee@contoso.com";
    AtomicInteger inFlight = new AtomicInteger();
    AtomicInteger most = new AtomicInteger();
    ExecutorService threads = Executors.newFixedThreadPool(12);
    List<Future<?>> done = new ArrayList<>();
    for (int t = 0; t < 12; t++) {
      PostgresMailboxPermits owner = owners.get(t % 2);
      done.add(
          threads.submit(
              () -> {
                for (int i = 0; i < 10; i++) {
                  try (MailboxPermits.Slot slot = owner.acquire(mailbox)) {
                    most.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
                    // Stands for the Graph call the slot is held for.
                    java.util.concurrent.locks.LockSupport.parkNanos(
                        Duration.ofMillis(5).toNanos());
                    inFlight.decrementAndGet();
                  }
                }
                return null;
              }));
    }
    for (Future<?> f : done) {
      f.get(120, TimeUnit.SECONDS);
    }
    threads.shutdown();
    assertThat(most.get()).isBetween(1, 4);
    assertThat(inFlight.get()).isZero();
  }

  private static PostgresMailboxPermits owner(String name) {
    return new PostgresMailboxPermits(dataSource(name), 4, new SimpleMeterRegistry());
  }

  private static PGSimpleDataSource dataSource(String applicationName) {
    PGSimpleDataSource source = new PGSimpleDataSource();
    source.setUrl(database.jdbcUrl());
    source.setUser(database.username());
    source.setPassword(database.password());
    source.setApplicationName(applicationName);
    return source;
  }
}
