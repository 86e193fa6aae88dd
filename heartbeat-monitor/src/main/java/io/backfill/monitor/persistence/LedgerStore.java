package io.backfill.monitor.persistence;

import io.backfill.contracts.event.ChunkCoordinates;
import io.backfill.contracts.event.ErrorInfo;
import io.backfill.contracts.event.Progress;
import io.backfill.contracts.event.RunStarted;
import io.backfill.contracts.id.AttemptId;
import io.backfill.contracts.id.JobId;
import io.backfill.contracts.id.Lane;
import io.backfill.contracts.id.RunId;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.hibernate.Session;

/**
 * The ledger's SQL, written out where it is used. Callers own the transaction; every method runs
 * inside it. Times come from the database's clock ({@code now()}), the ledger's single clock.
 */
@ApplicationScoped
public class LedgerStore {

  private final EntityManager em;

  LedgerStore(EntityManager em) {
    this.em = em;
  }

  /**
   * Records a batch of event ids in ONE statement; returns those that were new (not applied
   * before). Ids repeated within the batch are returned once.
   */
  public Set<UUID> markConsumed(Collection<UUID> eventIds) {
    Set<UUID> fresh = new HashSet<>();
    if (eventIds.isEmpty()) {
      return fresh;
    }
    session()
        .doWork(
            connection -> {
              try (PreparedStatement insert =
                  connection.prepareStatement(
                      "INSERT INTO consumed_events (event_id) SELECT unnest(?::uuid[])"
                          + " ON CONFLICT DO NOTHING RETURNING event_id")) {
                insert.setArray(1, uuids(connection, eventIds));
                try (ResultSet rows = insert.executeQuery()) {
                  while (rows.next()) {
                    fresh.add(rows.getObject(1, UUID.class));
                  }
                }
              }
            });
    return fresh;
  }

  /** The last heartbeat of one attempt within a batch. */
  public record Beat(UUID attemptId, Progress progress) {}

  /**
   * Records the heartbeats of a batch (at most one per attempt: the latest) in ONE statement, at
   * the ledger's receive time; returns the attempts that were running (the others are fenced).
   */
  public Set<UUID> recordHeartbeats(Collection<Beat> beats) {
    Set<UUID> applied = new HashSet<>();
    if (beats.isEmpty()) {
      return applied;
    }
    List<UUID> ids = new ArrayList<>(beats.size());
    Long[] done = new Long[beats.size()];
    Long[] total = new Long[beats.size()];
    String[] phase = new String[beats.size()];
    int i = 0;
    for (Beat beat : beats) {
      ids.add(beat.attemptId());
      done[i] = beat.progress().done();
      total[i] = beat.progress().total();
      phase[i] = beat.progress().phase();
      i++;
    }
    session()
        .doWork(
            connection -> {
              // statement_timestamp(), not now(): the receive time of this batch, not the start of
              // a transaction that may have spent a while on the batch's other events.
              try (PreparedStatement update =
                  connection.prepareStatement(
                      """
                      UPDATE attempts a
                      SET last_heartbeat_at = statement_timestamp(),
                          progress_changed_at = CASE
                            WHEN a.progress_done IS DISTINCT FROM v.done
                              OR a.progress_phase IS DISTINCT FROM v.phase
                            THEN statement_timestamp()
                            ELSE a.progress_changed_at END,
                          progress_done = v.done, progress_total = v.total,
                          progress_phase = v.phase
                      FROM unnest(?::uuid[], ?::bigint[], ?::bigint[], ?::text[])
                           AS v(attempt_id, done, total, phase)
                      WHERE a.attempt_id = v.attempt_id AND a.state = 'running'
                      RETURNING a.attempt_id
                      """)) {
                update.setArray(1, uuids(connection, ids));
                update.setArray(2, connection.createArrayOf("bigint", done));
                update.setArray(3, connection.createArrayOf("bigint", total));
                update.setArray(4, connection.createArrayOf("text", phase));
                try (ResultSet rows = update.executeQuery()) {
                  while (rows.next()) {
                    applied.add(rows.getObject(1, UUID.class));
                  }
                }
              }
            });
    return applied;
  }

  private static Array uuids(Connection connection, Collection<UUID> ids) throws SQLException {
    return connection.createArrayOf("uuid", ids.toArray(new UUID[0]));
  }

  private Session session() {
    return em.unwrap(Session.class);
  }

  /**
   * Ends a running attempt as stopped (its job was paused or cancelled) and parks its run as {@code
   * paused} or {@code cancelled}; false when the attempt is not running (fenced).
   */
  public boolean stopAttempt(AttemptId attemptId, String reason, String detail) {
    int updated =
        em.createNativeQuery(
                """
                UPDATE attempts
                SET state = 'stopped', ended_at = now(), stop_reason = :reason,
                    stop_detail = :detail
                WHERE attempt_id = :attempt AND state = 'running'
                """)
            .setParameter("reason", reason)
            .setParameter("detail", detail)
            .setParameter("attempt", attemptId.value())
            .executeUpdate();
    if (updated == 0) {
      return false;
    }
    em.createNativeQuery(
            """
            UPDATE runs SET state = :state, stopped_attempts = stopped_attempts + 1,
                            updated_at = now()
            WHERE run_id = (SELECT run_id FROM attempts WHERE attempt_id = :attempt)
            """)
        .setParameter("state", reason)
        .setParameter("attempt", attemptId.value())
        .executeUpdate();
    return true;
  }

  /**
   * Parks a run that waits for its retry because the attempt that timed out (or failed) was in fact
   * stopped by a pause or cancel whose RunStopped arrived late: the pending retry is cancelled.
   * True when the stopped attempt is the run's latest and a retry was pending.
   */
  public boolean parkInsteadOfRetry(RunId runId, AttemptId attemptId, String reason) {
    int cancelled =
        em.createNativeQuery(
                """
                UPDATE retries SET state = 'cancelled'
                WHERE run_id = :run AND state = 'pending' AND retry_of = :attempt
                """)
            .setParameter("run", runId.value())
            .setParameter("attempt", attemptId.value())
            .executeUpdate();
    if (cancelled == 0) {
      return false;
    }
    em.createNativeQuery("UPDATE runs SET state = :state, updated_at = now() WHERE run_id = :run")
        .setParameter("state", reason)
        .setParameter("run", runId.value())
        .executeUpdate();
    return true;
  }

  /** Creates the run if it is new and locks its row for the rest of the transaction. */
  public void upsertAndLockRun(RunStarted started) {
    var chunk = started.chunk();
    em.createNativeQuery(
            """
            INSERT INTO runs (run_id, lane, tenant_id, job_id, state,
                              chunk_topic, chunk_partition, chunk_offset)
            VALUES (:run, :lane, :tenant, :job, 'running', :topic, :partition, :offset)
            ON CONFLICT (run_id) DO NOTHING
            """)
        .setParameter("run", started.runId().value())
        .setParameter("lane", started.lane().wireName())
        .setParameter("tenant", started.tenantId())
        .setParameter("job", UUID.fromString(started.jobId().value()))
        .setParameter("topic", chunk == null ? null : chunk.topic())
        .setParameter("partition", chunk == null ? null : chunk.partition())
        .setParameter("offset", chunk == null ? null : chunk.offset())
        .executeUpdate();
    em.createNativeQuery("SELECT run_id FROM runs WHERE run_id = :run FOR UPDATE")
        .setParameter("run", started.runId().value())
        .getResultList();
  }

  public boolean attemptExists(AttemptId attemptId) {
    return !em.createNativeQuery("SELECT 1 FROM attempts WHERE attempt_id = :id")
        .setParameter("id", attemptId.value())
        .getResultList()
        .isEmpty();
  }

  /** Marks the run's running attempt (if any) superseded; returns its id. */
  public Optional<UUID> supersedeRunningAttempt(RunId runId) {
    @SuppressWarnings("unchecked")
    List<UUID> superseded =
        em.createNativeQuery(
                """
                UPDATE attempts SET state = 'superseded', ended_at = now()
                WHERE run_id = :run AND state = 'running'
                RETURNING attempt_id
                """,
                UUID.class)
            .setParameter("run", runId.value())
            .getResultList();
    return superseded.stream().findFirst();
  }

  /** Inserts the attempt as running with the next number of its run; returns that number. */
  public int startAttempt(RunStarted started) {
    Number number =
        (Number)
            em.createNativeQuery(
                    """
                    UPDATE runs SET attempts = attempts + 1, state = 'running',
                                    current_attempt_id = :attempt, updated_at = now()
                    WHERE run_id = :run
                    RETURNING attempts
                    """)
                .setParameter("attempt", started.attemptId().value())
                .setParameter("run", started.runId().value())
                .getSingleResult();
    em.createNativeQuery(
            """
            INSERT INTO attempts (attempt_id, run_id, number, worker_id, build_sha,
                                  heartbeat_interval_ms, state, started_at, last_heartbeat_at,
                                  progress_changed_at)
            VALUES (:attempt, :run, :number, :worker, :sha, :interval, 'running', now(), now(),
                    now())
            """)
        .setParameter("attempt", started.attemptId().value())
        .setParameter("run", started.runId().value())
        .setParameter("number", number.intValue())
        .setParameter("worker", started.workerId())
        .setParameter("sha", started.buildSha())
        .setParameter("interval", started.heartbeatIntervalMs())
        .executeUpdate();
    return number.intValue();
  }

  /** Records a heartbeat of a running attempt; false when the attempt is not running (fenced). */
  public boolean recordHeartbeat(AttemptId attemptId, Progress progress) {
    return em.createNativeQuery(
                """
                UPDATE attempts
                SET last_heartbeat_at = now(),
                    progress_changed_at = CASE
                      WHEN progress_done IS DISTINCT FROM :done
                        OR progress_phase IS DISTINCT FROM :phase THEN now()
                      ELSE progress_changed_at END,
                    progress_done = :done, progress_total = :total, progress_phase = :phase
                WHERE attempt_id = :attempt AND state = 'running'
                """)
            .setParameter("attempt", attemptId.value())
            .setParameter("done", progress.done())
            .setParameter("total", progress.total())
            .setParameter("phase", progress.phase())
            .executeUpdate()
        == 1;
  }

  /**
   * Ends a running attempt and its run with the given state; false when the attempt is not the
   * run's running attempt (fenced).
   */
  public boolean finishAttempt(
      AttemptId attemptId, String attemptState, ErrorInfo error, Boolean retryable) {
    int updated =
        em.createNativeQuery(
                """
                UPDATE attempts
                SET state = :state, ended_at = now(), error_type = :type,
                    error_message = :message, error_stack_trace = :trace,
                    error_retryable = :retryable
                WHERE attempt_id = :attempt AND state = 'running'
                """)
            .setParameter("state", attemptState)
            .setParameter("type", error == null ? null : error.type())
            .setParameter("message", error == null ? null : error.message())
            .setParameter("trace", error == null ? null : error.stackTrace())
            .setParameter("retryable", retryable)
            .setParameter("attempt", attemptId.value())
            .executeUpdate();
    if (updated == 0) {
      return false;
    }
    em.createNativeQuery(
            """
            UPDATE runs SET state = :state, updated_at = now()
            WHERE run_id = (SELECT run_id FROM attempts WHERE attempt_id = :attempt)
            """)
        .setParameter("state", attemptState)
        .setParameter("attempt", attemptId.value())
        .executeUpdate();
    return true;
  }

  /** Records what a completed run reported: chunks published (fetch) and messages. */
  public void recordCompletion(RunId runId, Integer chunks, long messages) {
    em.createNativeQuery(
            "UPDATE runs SET chunks = :chunks, messages = :messages WHERE run_id = :run")
        .setParameter("chunks", chunks)
        .setParameter("messages", messages)
        .setParameter("run", runId.value())
        .executeUpdate();
  }

  /** The run, its row locked for the rest of the transaction; empty when unknown. */
  public Optional<RunRow> lockRun(RunId runId) {
    @SuppressWarnings("unchecked")
    List<Object[]> rows =
        em.createNativeQuery(
                """
                SELECT run_id, lane, tenant_id, job_id, state, attempts,
                       chunk_topic, chunk_partition, chunk_offset
                FROM runs WHERE run_id = :run FOR UPDATE
                """)
            .setParameter("run", runId.value())
            .getResultList();
    return rows.stream().findFirst().map(LedgerStore::runRow);
  }

  /** Maps a row of run_id, lane, tenant_id, job_id, state, attempts, chunk_* columns. */
  public static RunRow runRow(Object[] row) {
    String topic = (String) row[6];
    return new RunRow(
        new RunId((String) row[0]),
        Lane.fromWireName((String) row[1]),
        (String) row[2],
        new JobId(row[3].toString()),
        (String) row[4],
        ((Number) row[5]).intValue(),
        topic == null
            ? null
            : new ChunkCoordinates(
                topic, ((Number) row[7]).intValue(), ((Number) row[8]).longValue()));
  }

  /**
   * Cancels the run's pending retry: a new attempt started (Kafka redelivered the chunk, or the
   * executor resumed), so that attempt answers the run. Returns how many were cancelled.
   */
  public int cancelPendingRetries(RunId runId) {
    return em.createNativeQuery(
            "UPDATE retries SET state = 'cancelled' WHERE run_id = :run AND state = 'pending'")
        .setParameter("run", runId.value())
        .executeUpdate();
  }

  /** The attempts of a run in order, as the ledger sees them now. */
  public List<AttemptRow> attemptsOf(RunId runId) {
    @SuppressWarnings("unchecked")
    List<Object[]> rows =
        em.createNativeQuery(
                """
                SELECT attempt_id, number, state, worker_id, build_sha, heartbeat_interval_ms,
                       progress_done
                FROM attempts WHERE run_id = :run ORDER BY number
                """)
            .setParameter("run", runId.value())
            .getResultList();
    return rows.stream()
        .map(
            row ->
                new AttemptRow(
                    (UUID) row[0],
                    ((Number) row[1]).intValue(),
                    (String) row[2],
                    (String) row[3],
                    (String) row[4],
                    ((Number) row[5]).longValue(),
                    ((Number) row[6]).longValue()))
        .toList();
  }
}
