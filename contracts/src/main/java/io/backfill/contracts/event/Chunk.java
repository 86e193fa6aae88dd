package io.backfill.contracts.event;

import io.backfill.contracts.id.JobId;
import io.backfill.contracts.id.RunId;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * One page of mail as one unit of extraction work. {@code seq} is the page's number within the job
 * (from 1), and {@code runId} is always {@code extract:<jobId>:<seq>}, so a page fetched twice is
 * the same run.
 *
 * @param last true on the job's final page
 */
public record Chunk(
    UUID eventId,
    int schemaVersion,
    Instant occurredAt,
    String tenantId,
    JobId jobId,
    RunId runId,
    int seq,
    List<MailMessage> messages,
    boolean last)
    implements ChunkEvent {

  /** Graph's page size for this pipeline: $top=100 (larger pages made Graph answer 504). */
  public static final int MAX_MESSAGES = 100;

  public Chunk {
    Require.present(eventId, "eventId");
    Require.schemaVersion(schemaVersion);
    Require.present(occurredAt, "occurredAt");
    Require.text(tenantId, "tenantId");
    Require.present(jobId, "jobId");
    Require.present(runId, "runId");
    Require.positive(seq, "seq");
    if (!runId.equals(RunId.extract(jobId, seq))) {
      throw new IllegalArgumentException(
          "runId " + runId + " does not match jobId " + jobId + " and seq " + seq);
    }
    messages = Require.list(messages, "messages");
    if (messages.size() > MAX_MESSAGES) {
      throw new IllegalArgumentException(
          "a chunk holds at most " + MAX_MESSAGES + " messages, had " + messages.size());
    }
  }

  public static Chunk of(
      String tenantId, JobId jobId, int seq, List<MailMessage> messages, boolean last) {
    return new Chunk(
        UUID.randomUUID(),
        1,
        Instant.now(),
        tenantId,
        jobId,
        RunId.extract(jobId, seq),
        seq,
        messages,
        last);
  }

  @Override
  public String key() {
    return runId.value();
  }
}
