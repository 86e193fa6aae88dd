package io.backfill.gateway.persistence;

import io.backfill.gateway.domain.JobStatus;
import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.UUID;

/** One job as the gateway shows it: the read model projected from {@code job.events}. */
@Entity
@Table(name = "job_views")
public class JobView extends PanacheEntityBase {

  @Id
  @Column(name = "job_id")
  public UUID jobId;

  @Column(name = "tenant_id", nullable = false)
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

  @Column(name = "status", nullable = false)
  public JobStatus status;

  @Column(name = "reason")
  public String reason;

  @Column(name = "chunks_published", nullable = false)
  public int chunksPublished;

  @Column(name = "messages_fetched", nullable = false)
  public long messagesFetched;

  @Column(name = "has_more", nullable = false)
  public boolean hasMore = true;

  @Column(name = "chunks")
  public Integer chunks;

  @Column(name = "failed_chunks")
  public Integer failedChunks;

  @Column(name = "created_at", nullable = false)
  public Instant createdAt;

  @Column(name = "updated_at", nullable = false)
  public Instant updatedAt;

  @Column(name = "last_event_id", nullable = false)
  public UUID lastEventId;

  @Column(name = "last_event_at", nullable = false)
  public Instant lastEventAt;

  /** When the job was paused or cancelled; null while it is not stopped. */
  @Column(name = "stopped_at")
  public Instant stoppedAt;

  /** following, paused or ended (docs/decisions/0037); null while the job is not followed. */
  @Column(name = "follow_state")
  public String followState;

  /** Seconds between delta rounds, as the fetcher announced it; null before. */
  @Column(name = "follow_interval_seconds")
  public Integer followIntervalSeconds;
}
