package io.backfill.gateway.domain;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Status;
import jakarta.transaction.Synchronization;
import jakarta.transaction.TransactionSynchronizationRegistry;

/**
 * Runs a step once the current transaction committed (at once when there is none), and never when
 * it rolled back or is marked to. A batch that is rolled back and applied again record by record
 * must not count, or remember, what it did twice.
 */
@ApplicationScoped
public class AfterCommit {

  private final TransactionSynchronizationRegistry transactions;

  AfterCommit(TransactionSynchronizationRegistry transactions) {
    this.transactions = transactions;
  }

  public void run(Runnable step) {
    int status = transactions.getTransactionStatus();
    if (status == Status.STATUS_NO_TRANSACTION) {
      step.run();
      return;
    }
    if (status != Status.STATUS_ACTIVE) {
      // Marked for rollback, or ending: it will not commit what the step is about.
      return;
    }
    transactions.registerInterposedSynchronization(
        new Synchronization() {
          @Override
          public void beforeCompletion() {
            // Nothing to do before the outcome is known.
          }

          @Override
          public void afterCompletion(int status) {
            if (status == Status.STATUS_COMMITTED) {
              step.run();
            }
          }
        });
  }
}
