package io.backfill.worker.messaging;

import io.backfill.contracts.event.Chunk;
import io.backfill.contracts.event.ChunkEvent;
import io.backfill.contracts.event.RetryDue;
import io.backfill.contracts.event.RunControlEvent;
import io.backfill.contracts.event.RunTimedOut;
import io.backfill.contracts.id.Lane;
import io.backfill.contracts.serde.EventDecodingException;
import io.backfill.contracts.serde.EventJson;
import io.backfill.worker.attempt.AttemptRunner;
import io.backfill.worker.domain.ChunkMetrics;
import io.backfill.worker.persistence.CompletedRunStore.CompletedRun;
import io.smallrye.reactive.messaging.annotations.Blocking;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.jboss.logging.Logger;
import org.jboss.logging.MDC;

/**
 * Consumes the ledger's decisions on {@code run.control}, on two channels:
 *
 * <ul>
 *   <li>{@code run-control-timeouts}, in a consumer group of its own per process, so every worker
 *       sees every RunTimedOut and the one running that attempt cancels its work;
 *   <li>{@code run-control-retries}, in the shared group, so each RetryDue of the extract lane runs
 *       once: the chunk is re-read at its coordinates and a new attempt starts (or, when this
 *       worker committed the run already, a new attempt reports it completed).
 * </ul>
 */
@ApplicationScoped
public class RunControlConsumer {

  private static final Logger LOG = Logger.getLogger(RunControlConsumer.class);

  private final AttemptRunner runner;
  private final ChunkReader reader;
  private final ChunkMetrics metrics;

  RunControlConsumer(AttemptRunner runner, ChunkReader reader, ChunkMetrics metrics) {
    this.runner = runner;
    this.reader = reader;
    this.metrics = metrics;
  }

  @Incoming("run-control-timeouts")
  public CompletionStage<Void> onTimeout(Message<String> record) {
    RunControlEvent event;
    try {
      event = EventJson.fromJson(record.getPayload(), RunControlEvent.class);
    } catch (EventDecodingException e) {
      // The retries channel reads the same record, logs it and dead-letters it.
      return record.ack();
    }
    if (event instanceof RunTimedOut timedOut && runner.timedOut(timedOut.attemptId())) {
      LOG.warnf(
          "attempt %s of run %s (tenant %s, job %s) was timed out by the ledger (%s); its work is"
              + " cancelled",
          timedOut.attemptId(),
          timedOut.runId(),
          timedOut.tenantId(),
          timedOut.jobId(),
          timedOut.diagnosis().rule());
    }
    return record.ack();
  }

  @Incoming("run-control-retries")
  @Blocking
  public CompletionStage<Void> onRetry(Message<String> record) {
    RunControlEvent event;
    try {
      event = EventJson.fromJson(record.getPayload(), RunControlEvent.class);
    } catch (EventDecodingException e) {
      LOG.warnf("a run.control record is not a valid event, dead-lettering it: %s", e.getMessage());
      return record.nack(e);
    }
    if (!(event instanceof RetryDue retry) || retry.lane() != Lane.EXTRACT) {
      return record.ack();
    }
    MDC.put("tenantId", retry.tenantId());
    MDC.put("jobId", retry.jobId().value());
    MDC.put("runId", retry.runId().value());
    try {
      Chunk chunk = chunkOf(retry);
      Optional<CompletedRun> done = runner.completed(chunk);
      if (done.isPresent()) {
        metrics.chunkSkipped();
        LOG.infof(
            "retry %d of run %s: committed already by attempt %s; reporting it completed",
            retry.attemptNumber(), retry.runId(), done.get().attemptId());
        runner.completeAgain(chunk, retry.chunk(), done.get());
      } else {
        runner.start(chunk, retry.chunk());
      }
      return record.ack();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      // Shutting down: leave the retry unacknowledged for the next worker.
      return new CompletableFuture<>();
    } catch (RuntimeException e) {
      metrics.chunkFailed();
      LOG.errorf(
          e,
          "retry %d of run %s (tenant %s) could not start; dead-lettering the RetryDue",
          retry.attemptNumber(),
          retry.runId(),
          retry.tenantId());
      return record.nack(e);
    } finally {
      MDC.remove("tenantId");
      MDC.remove("jobId");
      MDC.remove("runId");
    }
  }

  private Chunk chunkOf(RetryDue retry) {
    ChunkEvent event = EventJson.fromJson(reader.read(retry.chunk()), ChunkEvent.class);
    if (!(event instanceof Chunk chunk) || !chunk.runId().equals(retry.runId())) {
      throw new IllegalStateException(
          "the record at " + retry.chunk() + " is not the chunk of run " + retry.runId());
    }
    return chunk;
  }
}
