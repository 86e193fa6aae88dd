package io.backfill.gateway.persistence;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.UUID;

/**
 * A request the gateway published (table {@code submitted_requests}), read to show a job as pending
 * before the fetcher's JobAccepted reaches the read model.
 */
@Entity
@Table(name = "submitted_requests")
public class SubmittedRequest extends PanacheEntityBase {

  @Id
  @Column(name = "job_id")
  public UUID jobId;

  @Column(name = "tenant_id")
  public String tenantId;

  @Column(name = "request_id")
  public String requestId;

  @Column(name = "mailbox")
  public String mailbox;

  @Column(name = "folder")
  public String folder;

  @Column(name = "window_from")
  public Instant windowFrom;

  @Column(name = "window_to")
  public Instant windowTo;

  @Column(name = "submitted_at")
  public Instant submittedAt;
}
