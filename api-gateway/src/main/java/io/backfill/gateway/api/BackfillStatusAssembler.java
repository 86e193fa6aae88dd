package io.backfill.gateway.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.backfill.contracts.id.RunId;
import io.backfill.contracts.serde.EventJson;
import io.backfill.gateway.domain.JobStatus;
import io.backfill.gateway.persistence.AttemptView;
import io.backfill.gateway.persistence.JobReadQueries;
import io.backfill.gateway.persistence.JobView;
import io.backfill.gateway.persistence.SubmittedRequest;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * Puts a job's status together from the read model: the job view (job.events), its attempts and run
 * outcomes (run.events, run.control) and its extracted chunks (extraction.results). Scoped to the
 * caller's tenant: another tenant's job is simply not found.
 */
@ApplicationScoped
public class BackfillStatusAssembler {

  /** Runs shown in full; a big job has thousands, and the active and failed ones come first. */
  static final int MAX_RUNS = 50;

  /** Timeouts and errors shown, newest first. */
  static final int MAX_FAILURES = 10;

  private final JobReadQueries queries;

  BackfillStatusAssembler(JobReadQueries queries) {
    this.queries = queries;
  }

  /** The job's status as its tenant sees it; empty when the tenant has no such job. */
  @Transactional
  public Optional<BackfillStatus> status(String tenantId, UUID jobId) {
    JobView view = JobView.findById(jobId);
    if (view != null && view.tenantId.equals(tenantId)) {
      return Optional.of(fromView(view));
    }
    if (view == null) {
      SubmittedRequest submitted = SubmittedRequest.findById(jobId);
      if (submitted != null && submitted.tenantId.equals(tenantId)) {
        return Optional.of(fromSubmission(submitted));
      }
    }
    return Optional.empty();
  }

  private BackfillStatus fromSubmission(SubmittedRequest submitted) {
    return new BackfillStatus(
        submitted.jobId,
        submitted.tenantId,
        submitted.requestId,
        submitted.mailbox,
        submitted.folder,
        new BackfillStatus.Window(submitted.windowFrom, submitted.windowTo),
        JobStatus.PENDING.wireName(),
        "submitted; waiting for the fetcher to accept it",
        new BackfillStatus.Progress(0, 0, 0, 0, 0, true, null, 0, null, null),
        new BackfillStatus.Counts(0, 0, 0, Map.of(), Map.of()),
        List.of(),
        0,
        List.of(),
        List.of(),
        submitted.submittedAt,
        submitted.submittedAt,
        null,
        null,
        null,
        null);
  }

  private BackfillStatus fromView(JobView view) {
    JobReadQueries.ChunkTotals totals = queries.chunkTotals(view.tenantId, view.jobId);
    long chunksDone =
        totals.chunks() + queries.exhaustedChunksWithoutResult(view.tenantId, view.jobId);
    long chunksKnown =
        Math.max(
            Math.max(view.chunksPublished, view.chunks == null ? 0 : view.chunks),
            Math.max(totals.maxSeq(), chunksDone));
    String status = effectiveStatus(view);
    JobReadQueries.RunsPage runs = queries.runs(view.tenantId, view.jobId, MAX_RUNS);
    BackfillStatus.Stop stop =
        JobStatus.PAUSED.wireName().equals(status) || JobStatus.CANCELLED.wireName().equals(status)
            ? new BackfillStatus.Stop(
                status, view.stoppedAt, chunksDone, totals.messages(), runs.stopped())
            : null;
    return new BackfillStatus(
        view.jobId,
        view.tenantId,
        view.requestId,
        view.mailbox,
        view.folder,
        view.windowFrom == null && view.windowTo == null
            ? null
            : new BackfillStatus.Window(view.windowFrom, view.windowTo),
        status,
        view.reason,
        new BackfillStatus.Progress(
            chunksKnown,
            chunksDone,
            view.messagesFetched,
            totals.messages(),
            percent(chunksDone, chunksKnown, view),
            view.hasMore,
            eta(status, view, chunksDone, chunksKnown),
            view.chunksPublished,
            view.chunks,
            view.failedChunks),
        new BackfillStatus.Counts(
            totals.entities(),
            totals.relationships(),
            totals.embeddings(),
            queries.llmOutcomes(view.tenantId, view.jobId),
            queries.llmFailureReasons(view.tenantId, view.jobId)),
        runs(view, runs.shown()),
        runs.total(),
        timeouts(view),
        errors(view),
        view.createdAt,
        view.updatedAt,
        view.lastEventId,
        view.lastEventAt,
        stop,
        follow(view));
  }

  private BackfillStatus.Follow follow(JobView view) {
    if (view.followState == null) {
      return null;
    }
    JobReadQueries.FollowTotals totals = queries.followTotals(view.tenantId, view.jobId);
    return new BackfillStatus.Follow(
        view.followState,
        view.followIntervalSeconds,
        totals.rounds(),
        totals.lastRoundAt(),
        totals.lastRoundAt() == null
            ? null
            : Math.max(0, Duration.between(totals.lastRoundAt(), Instant.now()).toSeconds()),
        new BackfillStatus.Changes(
            totals.created(), totals.updated(), totals.unchanged(), totals.deleted()),
        totals.resyncs());
  }

  /**
   * A running job whose fetch run's latest attempt was timed out by the ledger (and no newer
   * attempt started) is shown as timed-out, and can be resumed.
   */
  private String effectiveStatus(JobView view) {
    if (view.status != JobStatus.RUNNING && view.status != JobStatus.PENDING) {
      return view.status.wireName();
    }
    return queries
            .latestFetchState(view.tenantId, view.jobId)
            .filter("timed_out"::equals)
            .isPresent()
        ? "timed-out"
        : view.status.wireName();
  }

  /** LESSONS 18: done over known, capped; never 100 while the fetcher may still find more. */
  static int percent(long done, long known, JobView view) {
    if (view.status == JobStatus.COMPLETED) {
      return 100;
    }
    if (known == 0) {
      return 0;
    }
    int percent = (int) Math.min(100, Math.min(done, known) * 100 / known);
    return view.hasMore ? Math.min(percent, 99) : percent;
  }

  private static Instant eta(String status, JobView view, long done, long known) {
    if (!"running".equals(status) || view.hasMore || done == 0 || done >= known) {
      return null;
    }
    Duration elapsed = Duration.between(view.createdAt, Instant.now());
    return Instant.now().plus(elapsed.multipliedBy(known - done).dividedBy(done));
  }

  /** The runs shown, each with its attempts, in the order the summary gives. */
  private List<BackfillStatus.Run> runs(JobView view, List<JobReadQueries.RunSummary> shown) {
    Map<String, List<AttemptView>> byRun = new LinkedHashMap<>();
    shown.forEach(run -> byRun.put(run.runId(), new ArrayList<>()));
    for (AttemptView attempt : queries.attempts(view.tenantId, view.jobId, byRun.keySet())) {
      byRun.get(attempt.runId).add(attempt);
    }
    Instant now = Instant.now();
    return shown.stream()
        .map(
            run ->
                new BackfillStatus.Run(
                    run.runId(),
                    new RunId(run.runId()).lane().wireName(),
                    run.state(),
                    run.retryDueAttempt(),
                    run.retryReason(),
                    byRun.get(run.runId()).stream().map(a -> attempt(a, now)).toList()))
        .toList();
  }

  private static BackfillStatus.Attempt attempt(AttemptView a, Instant now) {
    return new BackfillStatus.Attempt(
        a.attemptId,
        a.attemptNumber,
        a.state,
        a.workerId,
        a.buildSha,
        a.startedAt,
        a.endedAt,
        a.lastHeartbeatAt,
        a.lastHeartbeatAt == null ? null : Duration.between(a.lastHeartbeatAt, now).toMillis(),
        a.progressDone,
        a.progressTotal,
        a.progressPhase,
        a.stalledForMs,
        a.stopReason,
        a.stopDetail);
  }

  private List<BackfillStatus.Timeout> timeouts(JobView view) {
    return queries.timedOutAttempts(view.tenantId, view.jobId, MAX_FAILURES).stream()
        .map(
            a ->
                new BackfillStatus.Timeout(
                    a.runId, a.attemptId, a.attemptNumber, json(a.timeoutDiagnosis)))
        .toList();
  }

  /** The attempts' errors, newest first, then the ledger's last errors of exhausted runs. */
  private List<BackfillStatus.ErrorView> errors(JobView view) {
    List<BackfillStatus.ErrorView> errors = new ArrayList<>();
    queries
        .failedAttempts(view.tenantId, view.jobId, MAX_FAILURES)
        .forEach(
            a ->
                errors.add(
                    new BackfillStatus.ErrorView(
                        a.runId,
                        a.attemptId,
                        a.errorType,
                        a.errorMessage,
                        a.errorStackTrace,
                        a.retryable)));
    if (errors.size() < MAX_FAILURES) {
      queries
          .failedOutcomes(view.tenantId, view.jobId, MAX_FAILURES - errors.size())
          .forEach(
              o ->
                  errors.add(
                      new BackfillStatus.ErrorView(
                          o.runId, null, o.errorType, o.errorMessage, o.errorStackTrace, false)));
    }
    return errors;
  }

  private static Object json(String text) {
    try {
      return EventJson.mapper().readTree(text);
    } catch (JsonProcessingException e) {
      return text;
    }
  }

  static UUID uuid(String value) {
    return UUID.fromString(value);
  }
}
