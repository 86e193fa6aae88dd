package io.backfill.gateway.messaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class TransientRetryTest {

  @Test
  void lostConnectionIsRetriedUntilTheProjectionSucceeds() {
    AtomicInteger tries = new AtomicInteger();

    TransientRetry.run(
        "projecting",
        () -> {
          if (tries.incrementAndGet() < 3) {
            throw new IllegalStateException(
                "wrapped", new SQLException("connection reset", "08006"));
          }
        });

    assertThat(tries).hasValue(3);
  }

  @Test
  void transientFailureThatPersistsFailsAfterThreeTries() {
    AtomicInteger tries = new AtomicInteger();

    assertThatThrownBy(
            () ->
                TransientRetry.run(
                    "projecting",
                    () -> {
                      tries.incrementAndGet();
                      throw new IllegalStateException(new SQLTransientConnectionException("down"));
                    }))
        .isInstanceOf(IllegalStateException.class);
    assertThat(tries).hasValue(TransientRetry.ATTEMPTS);
  }

  @Test
  void badEventOrConstraintViolationFailsAtOnce() {
    AtomicInteger tries = new AtomicInteger();

    assertThatThrownBy(
            () ->
                TransientRetry.run(
                    "projecting",
                    () -> {
                      tries.incrementAndGet();
                      throw new IllegalStateException(new SQLException("duplicate key", "23505"));
                    }))
        .isInstanceOf(IllegalStateException.class);
    assertThat(tries).hasValue(1);
    assertThat(TransientRetry.isTransient(new SQLException("deadlock", "40P01"))).isTrue();
    assertThat(TransientRetry.isTransient(new IllegalArgumentException("bad jobId"))).isFalse();
  }

  @Test
  void poolAcquisitionTimeoutAndLockNotAvailableAreTransientAsEveryServiceDefinesThem() {
    assertThat(
            TransientRetry.isTransient(
                new IllegalStateException(
                    new SQLException(
                        "Sorry, acquisition timeout while waiting for new connection"))))
        .isTrue();
    assertThat(TransientRetry.isTransient(new SQLException("lock not available", "55P03")))
        .isTrue();
    assertThat(TransientRetry.isTransient(new SQLException("too many connections", "53300")))
        .isTrue();
    assertThat(TransientRetry.isTransient(new SQLException("statement timeout", "57014")))
        .isFalse();
  }
}
