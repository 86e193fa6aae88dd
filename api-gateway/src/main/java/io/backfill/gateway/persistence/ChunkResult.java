package io.backfill.gateway.persistence;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.IdClass;
import jakarta.persistence.Table;
import java.io.Serializable;
import java.time.Instant;
import java.util.Objects;
import java.util.UUID;

/** One extracted chunk (table {@code chunk_results}); written by upsert, read here. */
@Entity
@Table(name = "chunk_results")
@IdClass(ChunkResult.Key.class)
public class ChunkResult extends PanacheEntityBase {

  /** The chunk's natural key. */
  public static class Key implements Serializable {
    private static final long serialVersionUID = 1L;

    public UUID jobId;
    public int seq;

    @Override
    public boolean equals(Object other) {
      return other instanceof Key key && key.seq == seq && Objects.equals(key.jobId, jobId);
    }

    @Override
    public int hashCode() {
      return Objects.hash(jobId, seq);
    }
  }

  @Id
  @Column(name = "job_id")
  public UUID jobId;

  @Id
  @Column(name = "seq")
  public int seq;

  @Column(name = "tenant_id")
  public String tenantId;

  @Column(name = "attempt_id")
  public UUID attemptId;

  @Column(name = "messages")
  public int messages;

  @Column(name = "entities")
  public int entities;

  @Column(name = "relationships")
  public int relationships;

  @Column(name = "embeddings")
  public int embeddings;

  @Column(name = "llm_status")
  public String llmStatus;

  @Column(name = "llm_reason")
  public String llmReason;

  @Column(name = "extracted_at")
  public Instant extractedAt;
}
