package io.backfill.contracts.retry;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import org.junit.jupiter.api.Test;

class TransientFailuresTest {

  @Test
  void connectionLossShutdownAndLostRacesAreTransientAnywhereInTheCauses() {
    for (String state :
        new String[] {"08006", "08001", "57P01", "57P03", "40001", "40P01", "53300"}) {
      RuntimeException wrapped =
          new IllegalStateException("persist failed", new SQLException("boom", state));
      assertThat(TransientFailures.isTransient(wrapped)).as(state).isTrue();
    }
    assertThat(TransientFailures.isTransient(new SQLTransientConnectionException("refused")))
        .isTrue();
    assertThat(
            TransientFailures.isTransient(
                new RuntimeException(new SQLException("Sorry, acquisition timeout!"))))
        .isTrue();
  }

  @Test
  void constraintsBadDataAndStatementTimeoutsAreNot() {
    for (String state : new String[] {"23505", "22P02", "42P01", "57014"}) {
      assertThat(TransientFailures.isTransient(new SQLException("no", state))).as(state).isFalse();
    }
    assertThat(TransientFailures.isTransient(new IllegalArgumentException("bug"))).isFalse();
    assertThat(TransientFailures.isTransient(null)).isFalse();
  }
}
