package io.backfill.contracts.event;

import io.backfill.contracts.id.AttemptId;
import io.backfill.contracts.id.JobId;
import io.backfill.contracts.id.RunId;
import java.time.Instant;
import java.util.UUID;

/**
 * A chunk's extraction was committed: the counts written and what the LLM phase did.
 *
 * @param changes what the chunk changed (created, updated, unchanged, deleted); absent from workers
 *     that predate following
 */
public record ChunkExtracted(
    UUID eventId,
    int schemaVersion,
    Instant occurredAt,
    String tenantId,
    JobId jobId,
    RunId runId,
    int seq,
    AttemptId attemptId,
    int messages,
    int entities,
    int relationships,
    int embeddings,
    LlmOutcome llm,
    @OptionalField ChangeCounts changes)
    implements ExtractionResultEvent {

  public ChunkExtracted {
    Require.present(eventId, "eventId");
    Require.schemaVersion(schemaVersion);
    Require.present(occurredAt, "occurredAt");
    Require.tenantId(tenantId);
    Require.present(jobId, "jobId");
    Require.present(runId, "runId");
    Require.positive(seq, "seq");
    if (!runId.equals(RunId.extract(jobId, seq))) {
      throw new IllegalArgumentException(
          "runId " + runId + " does not match jobId " + jobId + " and seq " + seq);
    }
    Require.present(attemptId, "attemptId");
    Require.notNegative(messages, "messages");
    Require.notNegative(entities, "entities");
    Require.notNegative(relationships, "relationships");
    Require.notNegative(embeddings, "embeddings");
    Require.present(llm, "llm");
  }

  /** A result without change counts. */
  public ChunkExtracted(
      UUID eventId,
      int schemaVersion,
      Instant occurredAt,
      String tenantId,
      JobId jobId,
      RunId runId,
      int seq,
      AttemptId attemptId,
      int messages,
      int entities,
      int relationships,
      int embeddings,
      LlmOutcome llm) {
    this(
        eventId,
        schemaVersion,
        occurredAt,
        tenantId,
        jobId,
        runId,
        seq,
        attemptId,
        messages,
        entities,
        relationships,
        embeddings,
        llm,
        null);
  }
}
