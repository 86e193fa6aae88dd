package io.backfill.fetcher.persistence;

import io.backfill.contracts.event.BackfillRequested;
import io.backfill.contracts.event.ErrorInfo;
import io.backfill.contracts.id.AttemptId;
import io.backfill.contracts.id.JobId;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Collection;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.function.Predicate;

/**
 * The fetcher's job SQL, written out where it is used. Callers own the transaction; every method
 * runs inside it.
 */
@ApplicationScoped
public class JobStore {

  private static final String JOB_COLUMNS =
      """
      job_id, tenant_id, request_id, mailbox, folder, window_from, window_to,
      status, pages_published, messages_published, next_link,
      accepted_published, follow, follow_interval_seconds, follow_state,
      follow_folder
      """;

  private final Jdbc jdbc;

  JobStore(Jdbc jdbc) {
    this.jdbc = jdbc;
  }

  /** Creates the pending job of a request; false when it already exists (a repeated request). */
  public boolean insertIfAbsent(JobId jobId, BackfillRequested request) {
    return jdbc.update(
            """
            INSERT INTO jobs (job_id, tenant_id, request_id, mailbox, folder,
                              window_from, window_to, status, follow, follow_interval_seconds)
            VALUES (?, ?, ?, ?, ?, ?, ?, 'pending', ?, NULLIF(?, 0))
            ON CONFLICT DO NOTHING
            """,
            uuid(jobId),
            request.tenantId(),
            request.requestId(),
            request.mailbox(),
            request.folder(),
            request.from(),
            request.to(),
            request.followed(),
            request.followIntervalSeconds() == null ? 0 : request.followIntervalSeconds())
        == 1;
  }

  /**
   * A followed job's history checkpoint: as {@link #checkpoint}, with the folder its next link
   * belongs to, and the delta link of the folder whose listing ended on this page (if one did).
   */
  public Optional<String> checkpointFollowed(
      JobId jobId,
      AttemptId attemptId,
      int pages,
      long messages,
      String folder,
      String nextLink,
      String endedFolder,
      String deltaLink) {
    Optional<String> status = checkpoint(jobId, attemptId, pages, messages, nextLink);
    if (status.isEmpty()) {
      return status;
    }
    jdbc.update("UPDATE jobs SET follow_folder = ? WHERE job_id = ?", folder, uuid(jobId));
    if (endedFolder != null) {
      jdbc.update(
          """
          UPDATE follow_folders SET delta_link = ?, next_link = NULL
          WHERE job_id = ? AND folder_id = ?
          """,
          deltaLink,
          uuid(jobId),
          endedFolder);
    }
    return status;
  }

  /** Records that the broker acknowledged the job's JobAccepted. */
  public void markAcceptedPublished(JobId jobId) {
    jdbc.update(
        "UPDATE jobs SET accepted_published = true, updated_at = now() WHERE job_id = ?",
        uuid(jobId));
  }

  /** What {@link #enqueue} did. */
  public enum Enqueued {
    /** The job is pending and waits in the queue for a slot on any instance. */
    QUEUED,
    /** The job already has a live attempt (claimed or running): nothing to do. */
    ALREADY_OWNED,
    /** The job is in none of the states asked for (or does not exist). */
    NOT_APPLICABLE
  }

  private record Owner(String status, UUID attempt, boolean renewed) {}

  /**
   * Puts the job in the queue of fetch work if it is in one of {@code from}: status {@code
   * pending}, no attempt, {@code queued_at} set. A job whose attempt is alive (renewed within
   * {@code deadAfter}, or {@code aliveHere}) is left to it; a job whose attempt is dead loses it,
   * so that attempt's checkpoint and status writes match nothing from here on (fenced). Row-locked
   * against commands and claims.
   */
  public Enqueued enqueue(
      JobId jobId, Set<String> from, Duration deadAfter, Predicate<UUID> aliveHere) {
    Optional<Owner> owner =
        jdbc.first(
            """
            SELECT status, attempt_id,
                   last_alive_at IS NOT NULL
                     AND last_alive_at > now() - make_interval(secs => ?)
            FROM jobs WHERE job_id = ? FOR UPDATE
            """,
            row -> new Owner(row.getString(1), row.getObject(2, UUID.class), row.getBoolean(3)),
            seconds(deadAfter),
            uuid(jobId));
    if (owner.isEmpty()) {
      return Enqueued.NOT_APPLICABLE;
    }
    String status = owner.get().status();
    UUID attempt = owner.get().attempt();
    boolean alive = attempt != null && (owner.get().renewed() || aliveHere.test(attempt));
    if (!from.contains(status)) {
      return Enqueued.NOT_APPLICABLE;
    }
    if (alive && (status.equals("pending") || status.equals("running"))) {
      return status.equals("pending") ? Enqueued.ALREADY_OWNED : Enqueued.NOT_APPLICABLE;
    }
    jdbc.update(
        """
        UPDATE jobs SET status = 'pending', attempt_id = NULL, last_alive_at = NULL,
                        queued_at = COALESCE(queued_at, now()), updated_at = now()
        WHERE job_id = ?
        """,
        uuid(jobId));
    return Enqueued.QUEUED;
  }

  /**
   * Claims the oldest queued job for {@code attemptId}, skipping jobs other instances are claiming
   * (SKIP LOCKED) and jobs of {@code excludedTenants}; the job as claimed. It stays {@code pending}
   * until the attempt's RunStarted is acknowledged ({@link #markRunning}); a claim whose attempt
   * dies before that (not renewed within {@code deadAfter}) is claimed again.
   */
  public Optional<JobRow> claimNext(
      AttemptId attemptId, Collection<String> excludedTenants, Duration deadAfter) {
    return jdbc.first(
        """
        UPDATE jobs SET attempt_id = ?, last_alive_at = now(), updated_at = now()
        WHERE job_id = (
          SELECT job_id FROM jobs
          WHERE status = 'pending' AND queued_at IS NOT NULL
            AND (attempt_id IS NULL
                 OR last_alive_at IS NULL
                 OR last_alive_at < now() - make_interval(secs => ?))
            AND tenant_id <> ALL(?)
          ORDER BY queued_at, job_id
          LIMIT 1
          FOR UPDATE SKIP LOCKED)
        RETURNING %s
        """
            .formatted(JOB_COLUMNS),
        JobStore::job,
        attemptId.value(),
        seconds(deadAfter),
        excludedTenants);
  }

  /**
   * The claimed attempt's RunStarted was acknowledged: the job is {@code running} from now on.
   * Returns the job's status (a Pause or Cancel may have come first: then it stays so), or empty
   * when the attempt no longer owns the job.
   */
  public Optional<String> markRunning(JobId jobId, AttemptId attemptId) {
    return jdbc.first(
        """
        UPDATE jobs SET status = CASE WHEN status = 'pending' THEN 'running' ELSE status END,
                        queued_at = NULL, last_alive_at = now(), updated_at = now()
        WHERE job_id = ? AND attempt_id = ?
        RETURNING status
        """,
        row -> row.getString(1),
        uuid(jobId),
        attemptId.value());
  }

  /** Records that these attempts, running in this process, are alive. */
  public int renewAlive(Collection<AttemptId> attempts) {
    if (attempts.isEmpty()) {
      return 0;
    }
    return jdbc.update(
        "UPDATE jobs SET last_alive_at = now() WHERE attempt_id = ANY(?)",
        attempts.stream().map(AttemptId::value).toList());
  }

  /**
   * A paused or cancelled job whose fetch had published its last page goes back to {@code fetched}:
   * nothing is left to fetch. False when the job is not such a job.
   */
  public boolean resumeFetched(JobId jobId, Set<String> from) {
    return jdbc.update(
            """
            UPDATE jobs SET status = 'fetched', queued_at = NULL, updated_at = now()
            WHERE job_id = ? AND status = ANY(?) AND attempt_id IS NULL
              AND pages_published > 0 AND next_link IS NULL
            """,
            uuid(jobId),
            from)
        == 1;
  }

  /**
   * Moves the checkpoint after Kafka acknowledged the page's chunk. Returns the job's status (a
   * command may have paused or cancelled it meanwhile), or empty when {@code attemptId} no longer
   * owns the job (superseded or timed out).
   */
  public Optional<String> checkpoint(
      JobId jobId, AttemptId attemptId, int pages, long messages, String nextLink) {
    return jdbc.first(
        """
        UPDATE jobs SET pages_published = ?, messages_published = ?,
                        next_link = ?, last_alive_at = now(), updated_at = now()
        WHERE job_id = ? AND attempt_id = ?
        RETURNING status
        """,
        row -> row.getString(1),
        pages,
        messages,
        nextLink,
        uuid(jobId),
        attemptId.value());
  }

  /**
   * Ends the attempt's ownership with a status (fetched, failed, paused, cancelled, running for a
   * hand-back) and, for failures, the error. False when the attempt no longer owned the job.
   */
  public boolean release(JobId jobId, AttemptId attemptId, String status, ErrorInfo error) {
    return releaseAs(jobId, attemptId, status, error).isPresent();
  }

  /**
   * As {@link #release}, returning the status the job was left in (a Pause or Cancel that came
   * while the attempt ran keeps its status, even over {@code fetched}), or empty when the attempt
   * no longer owned the job.
   */
  public Optional<String> releaseAs(
      JobId jobId, AttemptId attemptId, String status, ErrorInfo error) {
    // A failure, hand-back or completion after a Pause or Cancel keeps the command's status; the
    // error columns are written only with an error.
    return jdbc.first(
        """
        UPDATE jobs SET status = CASE WHEN status IN ('paused', 'cancelled')
                                       AND CAST(? AS TEXT) IN ('running', 'failed', 'fetched')
                                      THEN status ELSE CAST(? AS TEXT) END,
                        attempt_id = NULL, last_alive_at = NULL, queued_at = NULL,
                        updated_at = now(),
                        last_error_type = CASE WHEN ? THEN CAST(? AS TEXT)
                                               ELSE last_error_type END,
                        last_error_message = CASE WHEN ? THEN CAST(? AS TEXT)
                                                  ELSE last_error_message END,
                        last_error_stack_trace = CASE WHEN ? THEN CAST(? AS TEXT)
                                                      ELSE last_error_stack_trace END
        WHERE job_id = ? AND attempt_id = ?
        RETURNING status
        """,
        row -> row.getString(1),
        status,
        status,
        error != null,
        error == null ? null : error.type(),
        error != null,
        error == null ? null : String.valueOf(error.message()),
        error != null,
        error == null ? null : String.valueOf(error.stackTrace()),
        uuid(jobId),
        attemptId.value());
  }

  /**
   * Sets the status of a job that is in one of {@code from}; the status it had, or empty when it
   * was in none of them (or does not exist). Row-locked, so a command and an attempt's own
   * transition never interleave.
   */
  public Optional<String> transition(JobId jobId, Set<String> from, String to) {
    Optional<String> status =
        jdbc.first(
            "SELECT status FROM jobs WHERE job_id = ? FOR UPDATE",
            row -> row.getString(1),
            uuid(jobId));
    if (status.isEmpty() || !from.contains(status.get())) {
      return Optional.empty();
    }
    jdbc.update("UPDATE jobs SET status = ?, updated_at = now() WHERE job_id = ?", to, uuid(jobId));
    return status;
  }

  /** The ledger timed the attempt out: the job waits for RetryDue or Resume. */
  public boolean timeOut(JobId jobId, AttemptId attemptId) {
    return jdbc.update(
            """
            UPDATE jobs SET status = 'timed_out', attempt_id = NULL, last_alive_at = NULL,
                            updated_at = now()
            WHERE job_id = ? AND attempt_id = ?
            """,
            uuid(jobId),
            attemptId.value())
        == 1;
  }

  /** The job's last error as stored (type, message, stack trace), if any. */
  public Optional<ErrorInfo> lastError(JobId jobId) {
    return jdbc.first(
        """
        SELECT last_error_type, last_error_message, last_error_stack_trace
        FROM jobs WHERE job_id = ? AND last_error_type IS NOT NULL
        """,
        row -> new ErrorInfo(row.getString(1), row.getString(2), row.getString(3)),
        uuid(jobId));
  }

  public Optional<JobRow> find(JobId jobId) {
    return jdbc.first(
        "SELECT %s FROM jobs WHERE job_id = ?".formatted(JOB_COLUMNS), JobStore::job, uuid(jobId));
  }

  private static JobRow job(ResultSet row) throws SQLException {
    return new JobRow(
        new JobId(row.getString(1)),
        row.getString(2),
        row.getString(3),
        row.getString(4),
        row.getString(5),
        Jdbc.instant(row, 6),
        Jdbc.instant(row, 7),
        row.getString(8),
        row.getInt(9),
        row.getLong(10),
        row.getString(11),
        row.getBoolean(12),
        row.getBoolean(13),
        Jdbc.integer(row, 14),
        row.getString(15),
        row.getString(16));
  }

  static UUID uuid(JobId jobId) {
    return UUID.fromString(jobId.value());
  }

  static double seconds(Duration duration) {
    return duration.toMillis() / 1000.0;
  }
}
