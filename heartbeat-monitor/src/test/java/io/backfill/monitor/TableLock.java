package io.backfill.monitor;

import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.persistence.EntityManager;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A table lock held by another database session until closed: ingest blocks on it as it would on a
 * slow or stuck database, while the broker keeps taking records.
 */
final class TableLock implements AutoCloseable {

  private final CountDownLatch locked = new CountDownLatch(1);
  private final CountDownLatch release = new CountDownLatch(1);
  private final CompletableFuture<Void> holder;

  /** Locks {@code table} against writes (SHARE mode: inserts and updates wait). */
  TableLock(EntityManager em, String table) throws InterruptedException {
    holder =
        CompletableFuture.runAsync(
            () ->
                QuarkusTransaction.requiringNew()
                    .call(
                        () -> {
                          em.createNativeQuery("LOCK TABLE " + table + " IN SHARE MODE")
                              .executeUpdate();
                          locked.countDown();
                          return release.await(120, TimeUnit.SECONDS);
                        }));
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
