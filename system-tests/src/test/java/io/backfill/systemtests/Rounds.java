package io.backfill.systemtests;

import java.util.ArrayList;
import java.util.List;
import java.util.function.IntConsumer;
import org.opentest4j.TestAbortedException;

/**
 * How many times each scenario runs: once in the default build, {@code
 * -Dbackfill.system-tests.rounds=3} under {@code -Pchaos}. Every round of a scenario has its own
 * tenant ({@link #tenant}), so its data is counted apart; a failed round does not stop the others
 * (the table shows every round), and the scenario fails at the end with the first failure.
 */
final class Rounds {

  static final String PROPERTY = "backfill.system-tests.rounds";

  private Rounds() {}

  static int count() {
    return Math.max(1, Integer.getInteger(PROPERTY, 1));
  }

  /** The tenant of a round: the scenario's own id in round 1, then {@code <id>-r<round>}. */
  static String tenant(String id, int round) {
    return round == 1 ? id : id + "-r" + round;
  }

  /** Runs the scenario {@link #count()} times; rethrows the first failure after the last round. */
  static void each(IntConsumer scenario) {
    List<Throwable> failures = new ArrayList<>();
    for (int round = 1; round <= count(); round++) {
      try {
        scenario.accept(round);
      } catch (AssertionError | RuntimeException e) {
        if (count() == 1 || e instanceof TestAbortedException) {
          throw e;
        }
        System.err.println("Round " + round + " failed: " + e);
        failures.add(e);
      }
    }
    if (!failures.isEmpty()) {
      Throwable first = failures.get(0);
      failures.stream().skip(1).forEach(first::addSuppressed);
      if (first instanceof AssertionError error) {
        throw error;
      }
      throw (RuntimeException) first;
    }
  }
}
