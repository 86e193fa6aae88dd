package io.backfill.fetcher.messaging;

import io.backfill.contracts.event.RetryDue;
import io.backfill.contracts.event.RunControlEvent;
import io.backfill.contracts.event.RunTimedOut;
import io.backfill.contracts.id.Lane;
import io.backfill.contracts.serde.EventDecodingException;
import io.backfill.contracts.serde.EventJson;
import io.backfill.fetcher.domain.JobCommands;
import io.backfill.fetcher.domain.TransientRetry;
import io.smallrye.reactive.messaging.annotations.Blocking;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.concurrent.CompletionStage;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.jboss.logging.Logger;

/**
 * Consumes {@code run.control} for the fetch lane: RetryDue resumes the job from its checkpoint as
 * a new attempt; RunTimedOut fences and stops the named attempt. Extract-lane events and the other
 * decisions are not the fetcher's and are skipped. Failures go to {@code run.control.dlq}.
 */
@ApplicationScoped
public class RunControlConsumer {

  private static final Logger LOG = Logger.getLogger(RunControlConsumer.class);

  private final JobCommands commands;

  private final TransientRetry retry;

  RunControlConsumer(JobCommands commands, TransientRetry retry) {
    this.commands = commands;
    this.retry = retry;
  }

  @Incoming("run-control")
  @Blocking
  public CompletionStage<Void> onControl(Message<String> record) {
    RunControlEvent event;
    try {
      event = EventJson.fromJson(record.getPayload(), RunControlEvent.class);
    } catch (EventDecodingException e) {
      LOG.warnf("dead-lettering a run.control record: %s", e.getMessage());
      return record.nack(e);
    }
    Lane lane = event.runId().lane();
    if (lane != Lane.FETCH && lane != Lane.FOLLOW) {
      return record.ack();
    }
    try {
      if (lane == Lane.FOLLOW) {
        if (event instanceof RetryDue due) {
          retry.run("retry_due", "RetryDue for " + due.runId(), () -> commands.retryRound(due));
        } else if (event instanceof RunTimedOut timedOut) {
          retry.run(
              "run_timed_out",
              "RunTimedOut for " + timedOut.runId(),
              () -> commands.roundTimedOut(timedOut));
        }
      } else if (event instanceof RetryDue due) {
        retry.run("retry_due", "RetryDue for " + due.runId(), () -> commands.retry(due));
      } else if (event instanceof RunTimedOut timedOut) {
        retry.run(
            "run_timed_out",
            "RunTimedOut for " + timedOut.runId(),
            () -> commands.timedOut(timedOut));
      }
    } catch (RuntimeException e) {
      LOG.errorf(
          e,
          "%s for %s (tenant %s) failed: %s",
          event.getClass().getSimpleName(),
          event.runId(),
          event.tenantId(),
          e.getMessage());
      return record.nack(e);
    }
    return record.ack();
  }
}
