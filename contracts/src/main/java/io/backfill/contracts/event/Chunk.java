package io.backfill.contracts.event;

import io.backfill.contracts.id.JobId;
import io.backfill.contracts.id.RunId;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/**
 * One page of mail as one unit of extraction work. {@code seq} is the page's number within the job
 * (from 1), and {@code runId} is always {@code extract:<jobId>:<seq>}, so a page fetched twice is
 * the same run.
 *
 * <p>A chunk's seq also orders what it says about a message: within a job, a chunk with a higher
 * seq was fetched later, so a message or removal in it supersedes what a lower seq said about the
 * same message id. A chunk names a message id at most once (among {@code messages} and {@code
 * removals}); a delta page that lists one twice keeps its last entry.
 *
 * @param last true on the job's final page of history; never on a follow round's chunk
 * @param followRound the delta round of a followed job that fetched this page; absent for history
 * @param removals messages a delta round reports gone from a folder (empty for history pages)
 * @param sweep set on the last chunk of a fresh delta round of a folder: see {@link FolderSweep}
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
    boolean last,
    @OptionalField Integer followRound,
    @OptionalField List<RemovedMessage> removals,
    @OptionalField FolderSweep sweep)
    implements ChunkEvent {

  /** Graph's page size for this pipeline: $top=100 (larger pages made Graph answer 504). */
  public static final int MAX_MESSAGES = 100;

  public Chunk {
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
    messages = Require.list(messages, "messages");
    removals = removals == null ? List.of() : List.copyOf(removals);
    if (messages.size() + removals.size() > MAX_MESSAGES) {
      throw new IllegalArgumentException(
          "a chunk holds at most "
              + MAX_MESSAGES
              + " messages and removals, had "
              + (messages.size() + removals.size()));
    }
    Set<String> ids = new HashSet<>();
    for (MailMessage message : messages) {
      if (!ids.add(message.id())) {
        throw new IllegalArgumentException("a chunk names message " + message.id() + " twice");
      }
    }
    for (RemovedMessage removal : removals) {
      if (!ids.add(removal.id())) {
        throw new IllegalArgumentException("a chunk names message " + removal.id() + " twice");
      }
    }
    if (followRound != null) {
      Require.positive(followRound, "followRound");
      if (last) {
        throw new IllegalArgumentException("a follow round's chunk is never the job's last");
      }
    }
    if (sweep != null && sweep.sinceSeq() > seq) {
      throw new IllegalArgumentException(
          "a sweep's sinceSeq " + sweep.sinceSeq() + " is after its chunk's seq " + seq);
    }
  }

  /** A page of history (no follow round, removals or sweep). */
  public Chunk(
      UUID eventId,
      int schemaVersion,
      Instant occurredAt,
      String tenantId,
      JobId jobId,
      RunId runId,
      int seq,
      List<MailMessage> messages,
      boolean last) {
    this(
        eventId,
        schemaVersion,
        occurredAt,
        tenantId,
        jobId,
        runId,
        seq,
        messages,
        last,
        null,
        List.of(),
        null);
  }

  /** A page of a followed job's delta round {@code followRound} (counted from 1). */
  public static Chunk ofFollowRound(
      String tenantId,
      JobId jobId,
      int seq,
      int followRound,
      List<MailMessage> messages,
      List<RemovedMessage> removals,
      FolderSweep sweep) {
    return new Chunk(
        UUID.randomUUID(),
        1,
        Instant.now(),
        tenantId,
        jobId,
        RunId.extract(jobId, seq),
        seq,
        messages,
        false,
        followRound,
        removals,
        sweep);
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
