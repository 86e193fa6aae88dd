package io.backfill.contracts.event;

import io.backfill.contracts.id.AttemptId;
import io.backfill.contracts.id.JobId;
import io.backfill.contracts.id.Lane;
import io.backfill.contracts.id.RunId;
import io.backfill.contracts.topic.Topics;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** One fixed, realistic example of every event type: the golden files are made from these. */
public final class ExampleEvents {

  public static final String TENANT = "contoso";
  public static final Instant AT = Instant.parse("2026-01-15T09:30:00Z");
  public static final JobId JOB = JobId.derive(TENANT, "req-2026-01-15-ana");
  public static final RunId FETCH_RUN = RunId.fetch(JOB);
  public static final RunId EXTRACT_RUN = RunId.extract(JOB, 3);
  public static final AttemptId ATTEMPT = AttemptId.parse("7d1f3a52-3c1b-4c8e-9a44-2f0b6f1e9c11");
  public static final AttemptId NEXT_ATTEMPT =
      AttemptId.parse("0b9e7c44-51d2-4f6a-8c3e-6a5d4b3c2a10");
  public static final ChunkCoordinates COORDINATES =
      new ChunkCoordinates(Topics.BACKFILL_CHUNKS, 7, 1_204L);
  public static final String WORKER = "extraction-worker-7f9c-1";
  public static final String SHA = "3f2c1e0d9b8a7f6e5d4c3b2a1908f7e6d5c4b3a2";

  private ExampleEvents() {}

  private static UUID id(int n) {
    return UUID.fromString(String.format("00000000-0000-4000-8000-%012d", n));
  }

  static MailMessage message() {
    return new MailMessage(
        "AAMkAGI2TG93AAA=",
        "<CAF=abc123@mail.contoso.com>",
        "AAQkAGI2TAAA=",
        "Q3 planning with Fabrikam",
        Instant.parse("2025-09-30T14:02:11Z"),
        Instant.parse("2025-09-30T14:02:05Z"),
        new Recipient("Ana Silva", "ana@contoso.com"),
        List.of(new Recipient("Ben Okafor", "ben@fabrikam.com")),
        List.of(new Recipient(null, "finance@contoso.com")),
        "Hi Ben,\nlet's meet on 3 October to plan Q3 with Fabrikam.\nAna",
        false,
        "AQMkAGI2TAAAAQ0AAAA=",
        "CQAAABYAAAB3sKZz",
        Instant.parse("2025-09-30T14:02:12Z"));
  }

  /** Every event type, in a stable order, keyed by its type name. */
  public static Map<String, Event> all() {
    Map<String, Event> events = new LinkedHashMap<>();
    Instant from = Instant.parse("2024-01-01T00:00:00Z");
    Instant to = Instant.parse("2026-01-01T00:00:00Z");
    ErrorInfo error =
        new ErrorInfo(
            "io.backfill.worker.llm.LlmCallTimedOut",
            "no answer from gpt-4o-mini within 30s",
            "io.backfill.worker.llm.LlmCallTimedOut: no answer from gpt-4o-mini within 30s\n"
                + "\tat io.backfill.worker.llm.LlmClient.complete(LlmClient.java:88)\n");
    Progress progress = new Progress(40, 100L, "llm");

    put(
        events,
        new BackfillRequested(
            id(1),
            1,
            AT,
            TENANT,
            "req-2026-01-15-ana",
            "ana@contoso.com",
            from,
            to,
            "inbox",
            true,
            300));
    put(events, new PauseJob(id(2), 1, AT, TENANT, JOB, "maintenance window"));
    put(events, new ResumeJob(id(3), 1, AT, TENANT, JOB, null));
    put(events, new CancelJob(id(4), 1, AT, TENANT, JOB, "requested by ana"));
    put(
        events,
        new Chunk(
            id(5),
            1,
            AT,
            TENANT,
            JOB,
            EXTRACT_RUN,
            3,
            List.of(message()),
            false,
            2,
            List.of(
                new RemovedMessage(
                    "AAMkAGI2TG94AAA=", "AQMkAGI2TAAAAQ0AAAA=", RemovedMessage.DELETED)),
            new FolderSweep("AQMkAGI2TAAAAQ0AAAA=", 2)));
    put(
        events,
        new RunStarted(
            id(6),
            1,
            AT,
            TENANT,
            JOB,
            EXTRACT_RUN,
            Lane.EXTRACT,
            ATTEMPT,
            WORKER,
            SHA,
            5_000,
            COORDINATES));
    put(
        events,
        new RunHeartbeat(id(7), 1, AT, TENANT, JOB, EXTRACT_RUN, ATTEMPT, WORKER, SHA, progress));
    put(
        events,
        new RunCompleted(
            id(8), 1, AT, TENANT, JOB, FETCH_RUN, ATTEMPT, "ingest-fetcher-1", 12, 1_187));
    put(
        events,
        new RunFailed(id(9), 1, AT, TENANT, JOB, EXTRACT_RUN, ATTEMPT, WORKER, true, error));
    put(
        events,
        new RunStopped(
            id(23),
            1,
            AT,
            TENANT,
            JOB,
            FETCH_RUN,
            ATTEMPT,
            "ingest-fetcher-1",
            RunStopped.PAUSED,
            "paused after page 7"));
    put(
        events,
        new RunTimedOut(
            id(10),
            1,
            AT,
            TENANT,
            JOB,
            EXTRACT_RUN,
            ATTEMPT,
            1,
            new TimeoutDiagnosis(
                TimeoutDiagnosis.RULE_STALE,
                Lane.EXTRACT,
                31_250L,
                95_000,
                30_000L,
                progress,
                WORKER,
                SHA)));
    put(
        events,
        new RunStalled(
            id(11), 1, AT, TENANT, JOB, EXTRACT_RUN, ATTEMPT, progress, 600_000, 600_000));
    put(
        events,
        new RetryDue(
            id(12),
            1,
            AT,
            TENANT,
            JOB,
            EXTRACT_RUN,
            Lane.EXTRACT,
            ATTEMPT,
            2,
            "timed out: no heartbeat for 31250 ms",
            COORDINATES));
    put(
        events,
        new RunExhausted(
            id(13), 1, AT, TENANT, JOB, EXTRACT_RUN, Lane.EXTRACT, 5, error, COORDINATES));
    put(
        events,
        new JobAccepted(
            id(14),
            1,
            AT,
            TENANT,
            JOB,
            "req-2026-01-15-ana",
            "ana@contoso.com",
            from,
            to,
            "inbox"));
    put(
        events,
        new JobRejected(
            id(15),
            1,
            AT,
            TENANT,
            JOB,
            "req-2026-01-15-ana",
            "window too large: 3650 days, at most 1825 allowed"));
    put(events, new JobPaused(id(16), 1, AT, TENANT, JOB, "maintenance window"));
    put(events, new JobResumed(id(17), 1, AT, TENANT, JOB, null));
    put(events, new JobCancelled(id(18), 1, AT, TENANT, JOB, "requested by ana"));
    put(events, new JobFetchProgress(id(19), 1, AT, TENANT, JOB, 3, 300, true));
    put(events, new JobCompleted(id(20), 1, AT, TENANT, JOB, 12, 1_187, 1));
    put(
        events,
        new JobFailed(
            id(21),
            1,
            AT,
            TENANT,
            JOB,
            ErrorInfo.coded(
                "ErrorItemNotFound", "The specified object was not found in the store.")));
    put(
        events,
        new ChunkExtracted(
            id(22),
            1,
            AT,
            TENANT,
            JOB,
            EXTRACT_RUN,
            3,
            ATTEMPT,
            100,
            412,
            389,
            100,
            new LlmOutcome(LlmStatus.RECOVERED, 100, 3, 1, 0, null),
            new ChangeCounts(97, 2, 1, 0)));
    put(events, new FollowJob(id(23), 1, AT, TENANT, JOB, 300));
    put(events, new FollowStarted(id(24), 1, AT, TENANT, JOB, 300));
    put(
        events,
        new FollowRoundCompleted(
            id(25),
            1,
            AT,
            TENANT,
            JOB,
            4,
            Instant.parse("2026-01-15T09:55:00Z"),
            3,
            12,
            2,
            0,
            5,
            41,
            42));
    return events;
  }

  private static void put(Map<String, Event> events, Event event) {
    events.put(event.getClass().getSimpleName(), event);
  }
}
