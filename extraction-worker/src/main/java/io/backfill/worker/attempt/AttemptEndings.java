package io.backfill.worker.attempt;

import io.backfill.contracts.event.Chunk;
import io.backfill.contracts.event.ChunkExtracted;
import io.backfill.contracts.event.ErrorInfo;
import io.backfill.contracts.event.RunEvent;
import io.backfill.contracts.security.SecretRedaction;
import io.backfill.contracts.topic.Topics;
import io.backfill.kit.attempt.Ending;
import io.backfill.kit.attempt.StopReason;
import io.backfill.worker.config.WorkerConfig;
import io.backfill.worker.domain.ChunkExtractor.Extraction;
import io.backfill.worker.domain.ChunkMetrics;
import io.backfill.worker.messaging.EventPublisher;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;
import org.jboss.logging.Logger;

/**
 * How an attempt ends, and what it reports and counts then: completed (ChunkExtracted, then
 * RunCompleted), failed retryable (its redacted error), fenced by a newer attempt's lease
 * (WriteFenced), stopped with its job (RunStopped), past its deadline, self-fenced, or silent when
 * the ledger timed it out, the worker shuts down or a newer attempt superseded it.
 */
final class AttemptEndings {

  // Logged as the attempt runner, so its one log category keeps covering every attempt's ending.
  private static final Logger LOG = Logger.getLogger(AttemptRunner.class);

  private final WorkerConfig config;
  private final EventPublisher publisher;
  private final ChunkMetrics metrics;

  AttemptEndings(WorkerConfig config, EventPublisher publisher, ChunkMetrics metrics) {
    this.config = config;
    this.publisher = publisher;
    this.metrics = metrics;
  }

  /**
   * How a failure of the work ends the attempt: superseded by a newer attempt's lease, it reports
   * WriteFenced; otherwise it fails retryable, unless a stop ended it already.
   */
  Ending failed(ChunkAttempt attempt, RuntimeException e) {
    FencedWriteException fenced = fencedIn(e);
    if (fenced != null) {
      // Superseded: the run belongs to a newer attempt, which reports it. This one still says it
      // ended (retryable): if the ledger heard of the newer attempt first, it fences this
      // RunFailed; if it heard of this one last, it retries at once instead of timing a silent
      // attempt out, and the retry finds the newer attempt's commit and completes the run.
      return Ending.deciding(
          () -> {
            metrics.writeFenced();
            metrics.attemptEnded("fenced");
            LOG.warnf(
                "%s: write refused, a newer attempt holds the run's lease; nothing written (%s)",
                attempt.describe(), fenced.getMessage());
            return Optional.of(
                attempt
                    .lifecycle()
                    .runFailed(true, ErrorInfo.coded("WriteFenced", fenced.getMessage())));
          });
    }
    return failedRetryable(attempt, e);
  }

  /** How a stop that came while the attempt ran ends it (the lifecycle interrupted its work). */
  Ending stopEnding(ChunkAttempt attempt, StopReason reason) {
    return switch (reason) {
      case PAUSED, CANCELLED ->
          stopped(
              attempt, reason.tag(), "stopped mid-chunk in phase " + attempt.progress().phase());
      case TIMED_OUT -> ended("timed_out", Optional.empty());
      case SELF_FENCED ->
          // Best effort: Kafka is probably unreachable; the ledger times the attempt out anyway.
          ended(
              "self_fenced",
              Optional.of(
                  attempt
                      .lifecycle()
                      .runFailed(
                          true,
                          ErrorInfo.coded(
                              "SelfFenced", "no heartbeat delivered within the stale threshold"))));
      case DEADLINE ->
          ended(
              "deadline",
              Optional.of(
                  attempt
                      .lifecycle()
                      .runFailed(
                          true,
                          redacted(
                              ErrorInfo.of(
                                  new DeadlineExceededException(config.chunkDeadline()))))));
      // Shutting down or superseded: the work unwinds, the ledger times the attempt out.
      case SHUTDOWN, SUPERSEDED -> Ending.silent();
    };
  }

  private Ending ended(String outcome, Optional<RunEvent> event) {
    return Ending.deciding(
        () -> {
          metrics.attemptEnded(outcome);
          metrics.chunkFailed();
          return event;
        });
  }

  Ending stopped(ChunkAttempt attempt, String reason, String detail) {
    return Ending.deciding(
        () -> {
          metrics.chunkStopped(reason);
          LOG.infof(
              "%s stopped: its job was %s (%s); nothing written",
              attempt.describe(), reason, detail);
          return Optional.of(attempt.lifecycle().runStopped(reason, detail));
        });
  }

  private static FencedWriteException fencedIn(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof FencedWriteException fenced) {
        return fenced;
      }
    }
    return null;
  }

  private Ending failedRetryable(ChunkAttempt attempt, RuntimeException e) {
    if (attempt.isCancelled()) {
      // The stop ended the attempt and reported it; this is only the work unwinding.
      LOG.debugf("work of %s stopped: %s", attempt.describe(), e.toString());
      return Ending.silent();
    }
    return Ending.deciding(
        () -> {
          metrics.attemptEnded("failed");
          metrics.chunkFailed();
          // The trace is logged and reported redacted: a provider's text may be in a message.
          ErrorInfo error = redacted(ErrorInfo.of(e));
          LOG.errorf(
              "%s failed after phase %s; reporting it retryable: %s",
              attempt.describe(), attempt.progress().phase(), error.stackTrace());
          return Optional.of(attempt.lifecycle().runFailed(true, error));
        });
  }

  /** ChunkExtracted first, then RunCompleted: a completion always has its result. */
  Ending completed(ChunkAttempt attempt, Extraction extraction) {
    Chunk chunk = attempt.chunk();
    return new Ending() {
      @Override
      public Optional<RunEvent> finalEvent() {
        try {
          publisher.publish(
              Topics.EXTRACTION_RESULTS,
              chunk.jobId().value(),
              new ChunkExtracted(
                  UUID.randomUUID(),
                  1,
                  Instant.now(),
                  chunk.tenantId(),
                  chunk.jobId(),
                  chunk.runId(),
                  chunk.seq(),
                  attempt.attemptId(),
                  extraction.messages(),
                  extraction.entities(),
                  extraction.relationships(),
                  extraction.embeddings(),
                  extraction.llm(),
                  extraction.changes()));
        } catch (RuntimeException e) {
          // Committed but not reported: the ledger times the attempt out and its retry finds the
          // run in completed_runs and completes it without extracting again.
          metrics.publishFailed("RunCompleted");
          LOG.errorf(
              e, "%s was committed but its completion was not acknowledged", attempt.describe());
          return Optional.empty();
        }
        return Optional.of(attempt.lifecycle().runCompleted(null, extraction.messages()));
      }

      @Override
      public void afterwards(boolean acknowledged) {
        if (!acknowledged) {
          // Counted and logged by the lifecycle; the retry settles the run as above.
          return;
        }
        metrics.attemptEnded("completed");
        metrics.chunkExtracted(
            extraction.messages(),
            extraction.entities(),
            extraction.relationships(),
            extraction.embeddings());
        metrics.changes(extraction.changes());
        LOG.debugf(
            "%s completed: %d messages, %d entities, %d relationships, llm %s",
            attempt.describe(),
            extraction.messages(),
            extraction.entities(),
            extraction.relationships(),
            extraction.llm().status());
      }
    };
  }

  private static ErrorInfo redacted(ErrorInfo error) {
    return new ErrorInfo(
        error.type(),
        SecretRedaction.redact(error.message()),
        SecretRedaction.redactLines(error.stackTrace()));
  }
}
