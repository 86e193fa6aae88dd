package io.backfill.monitor;

import java.sql.Connection;
import java.sql.Statement;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;

/**
 * A table lock held by another database session until closed: ingest blocks on it as it would on a
 * slow or stuck database, while the broker keeps taking records.
 */
final class TableLock implements AutoCloseable {

  private final CountDownLatch locked = new CountDownLatch(1);
  private final CountDownLatch release = new CountDownLatch(1);
  private final CompletableFuture<Void> holder;

  /** Locks {@code table} against writes (SHARE mode: inserts and updates wait). */
  TableLock(DataSource dataSource, String table) throws InterruptedException {
    holder =
        CompletableFuture.runAsync(
            () -> {
              try (Connection connection = dataSource.getConnection();
                  Statement statement = connection.createStatement()) {
                connection.setAutoCommit(false);
                statement.execute("LOCK TABLE " + table + " IN SHARE MODE");
                locked.countDown();
                release.await(120, TimeUnit.SECONDS);
                connection.commit();
              } catch (Exception e) {
                throw new IllegalStateException("could not hold the lock on " + table, e);
              }
            });
    if (!locked.await(30, TimeUnit.SECONDS)) {
      throw new IllegalStateException("could not lock " + table);
    }
  }

  @Override
  public void close() throws Exception {
    release.countDown();
    holder.get(30, TimeUnit.SECONDS);
  }
}
