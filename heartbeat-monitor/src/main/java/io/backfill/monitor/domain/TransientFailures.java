package io.backfill.monitor.domain;

import java.sql.SQLException;
import java.sql.SQLRecoverableException;
import java.sql.SQLTransientException;
import java.util.Set;

/**
 * Whether a database failure is worth retrying as it is: the connection was lost, the server is
 * restarting, or the transaction lost a serialization or deadlock race. Anything else (a
 * constraint, a bug, bad data) fails again the same way.
 */
public final class TransientFailures {

  /** 08: connection exception; 53: insufficient resources; 57P0x: shutdown, cannot connect now. */
  private static final Set<String> TRANSIENT_STATES =
      Set.of("40001", "40P01", "55P03", "57P01", "57P02", "57P03", "57014");

  private TransientFailures() {}

  public static boolean isTransient(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (t instanceof SQLTransientException || t instanceof SQLRecoverableException) {
        return true;
      }
      if (t instanceof SQLException sql) {
        String state = sql.getSQLState();
        if (state != null
            && (state.startsWith("08")
                || state.startsWith("53")
                || TRANSIENT_STATES.contains(state))) {
          return true;
        }
      }
      if (t.getCause() == t) {
        break;
      }
    }
    return false;
  }
}
