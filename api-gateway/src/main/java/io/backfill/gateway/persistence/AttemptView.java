package io.backfill.gateway.persistence;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.UUID;

/**
 * One attempt as projected from run.events and run.control (table {@code run_attempts}). Written
 * only with the upserts in {@code RunProjection}; read here.
 */
@Entity
@Table(name = "run_attempts")
public class AttemptView extends PanacheEntityBase {

  @Id
  @Column(name = "attempt_id")
  public UUID attemptId;

  @Column(name = "tenant_id")
  public String tenantId;

  @Column(name = "job_id")
  public UUID jobId;

  @Column(name = "run_id")
  public String runId;

  @Column(name = "lane")
  public String lane;

  @Column(name = "attempt_number")
  public Integer attemptNumber;

  @Column(name = "worker_id")
  public String workerId;

  @Column(name = "build_sha")
  public String buildSha;

  @Column(name = "heartbeat_interval_ms")
  public Long heartbeatIntervalMs;

  @Column(name = "state")
  public String state;

  @Column(name = "started_at")
  public Instant startedAt;

  @Column(name = "ended_at")
  public Instant endedAt;

  @Column(name = "last_heartbeat_at")
  public Instant lastHeartbeatAt;

  @Column(name = "progress_done")
  public Long progressDone;

  @Column(name = "progress_total")
  public Long progressTotal;

  @Column(name = "progress_phase")
  public String progressPhase;

  @Column(name = "stalled_for_ms")
  public Long stalledForMs;

  @Column(name = "error_type")
  public String errorType;

  @Column(name = "error_message")
  public String errorMessage;

  @Column(name = "error_stack_trace")
  public String errorStackTrace;

  @Column(name = "retryable")
  public Boolean retryable;

  /** paused or cancelled when the attempt was stopped (RunStopped). */
  @Column(name = "stop_reason")
  public String stopReason;

  /** Where the executor says it stopped (e.g. its checkpoint). */
  @Column(name = "stop_detail")
  public String stopDetail;

  /** The ledger's TimeoutDiagnosis as JSON. */
  @Column(name = "timeout_diagnosis")
  public String timeoutDiagnosis;
}
