package io.backfill.monitor.persistence;

import io.backfill.contracts.id.JobId;
import io.backfill.contracts.id.RunId;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.UUID;

/** {@code redrives}: every run re-driven outside the retry policy. Callers own the transaction. */
@ApplicationScoped
public class RedriveStore {

  private final Jdbc jdbc;

  RedriveStore(Jdbc jdbc) {
    this.jdbc = jdbc;
  }

  /** Records that attempt {@code number} of the run was re-driven after {@code retryOf}. */
  public void record(JobId job, RunId runId, int number, UUID retryOf, String reason) {
    jdbc.update(
        """
        INSERT INTO redrives (job_id, run_id, lane, attempt_number, retry_of, reason)
        VALUES (?, ?, ?, ?, ?, ?)
        """,
        UUID.fromString(job.value()),
        runId.value(),
        runId.lane().wireName(),
        number,
        retryOf,
        reason);
  }
}
