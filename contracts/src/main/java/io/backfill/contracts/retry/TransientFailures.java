package io.backfill.contracts.retry;

import java.sql.SQLException;
import java.sql.SQLRecoverableException;
import java.sql.SQLTransientException;
import java.util.Set;

/**
 * The one definition of a transient database failure, shared by every service: worth retrying as it
 * is, because the connection was lost, the server is restarting or refusing connections for now,
 * the pool had no connection in time, or the transaction lost a serialization, deadlock or lock
 * race. Anything else (a constraint, bad data, a bug) would fail the same way again.
 *
 * <p>Transient: a JDBC {@link SQLTransientException} or {@link SQLRecoverableException}, an
 * SQLSTATE of class 08 (connection exception) or 53 (insufficient resources), 40001 (serialization
 * failure), 40P01 (deadlock), 55P03 (lock not available), 57P01/57P02/57P03 (admin or crash
 * shutdown, cannot connect now), or the pool's acquisition timeout, anywhere in the chain of
 * causes. 57014 (query cancelled, a statement timeout) is not: the same statement would run as long
 * again.
 */
public final class TransientFailures {

  private static final Set<String> TRANSIENT_STATES =
      Set.of("40001", "40P01", "55P03", "57P01", "57P02", "57P03");

  private TransientFailures() {}

  public static boolean isTransient(Throwable failure) {
    int depth = 0;
    for (Throwable t = failure; t != null && depth < 32; t = t.getCause(), depth++) {
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
        if (state == null && isPoolAcquisitionTimeout(sql.getMessage())) {
          return true;
        }
      }
      if (t.getCause() == t) {
        break;
      }
    }
    return false;
  }

  /** Agroal reports a pool that had no free connection in time without an SQLSTATE. */
  private static boolean isPoolAcquisitionTimeout(String message) {
    return message != null
        && message.toLowerCase(java.util.Locale.ROOT).contains("acquisition timeout");
  }
}
