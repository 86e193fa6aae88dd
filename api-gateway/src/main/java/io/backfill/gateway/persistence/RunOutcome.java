package io.backfill.gateway.persistence;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.util.UUID;

/** What the ledger decided about a whole run (table {@code run_outcomes}); read only here. */
@Entity
@Table(name = "run_outcomes")
public class RunOutcome extends PanacheEntityBase {

  @Id
  @Column(name = "run_id")
  public String runId;

  @Column(name = "tenant_id")
  public String tenantId;

  @Column(name = "job_id")
  public UUID jobId;

  @Column(name = "lane")
  public String lane;

  @Column(name = "exhausted")
  public boolean exhausted;

  @Column(name = "attempts")
  public Integer attempts;

  @Column(name = "retry_due_attempt")
  public Integer retryDueAttempt;

  @Column(name = "retry_reason")
  public String retryReason;

  @Column(name = "error_type")
  public String errorType;

  @Column(name = "error_message")
  public String errorMessage;

  @Column(name = "error_stack_trace")
  public String errorStackTrace;
}
