package io.backfill.worker.messaging;

import io.backfill.contracts.event.JobCancelled;
import io.backfill.contracts.event.JobEvent;
import io.backfill.contracts.event.JobPaused;
import io.backfill.contracts.event.JobResumed;
import io.backfill.contracts.serde.EventJson;
import io.backfill.worker.attempt.AttemptRunner;
import io.backfill.worker.attempt.JobStopStates;
import io.backfill.worker.domain.ChunkMetrics;
import io.smallrye.reactive.messaging.annotations.Blocking;
import io.smallrye.reactive.messaging.kafka.api.IncomingKafkaRecordMetadata;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.concurrent.CompletionStage;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.jboss.logging.Logger;

/**
 * Consumes {@code job.events} for the pause, cancel and resume of jobs (every other job event is
 * acknowledged and ignored), on two channels:
 *
 * <ul>
 *   <li>{@code job-events-broadcast}, in a consumer group of its own per process from the latest
 *       offset, so every worker hears every stop at once and stops its running attempts of the job;
 *   <li>{@code job-events}, in the shared group, so each event is recorded once in {@code
 *       job_stop_states} for workers that start later; an undecodable record is dead-lettered to
 *       {@code job.events.dlq} here (the broadcast channel skips it).
 * </ul>
 */
@ApplicationScoped
public class JobEventsConsumer {

  private static final Logger LOG = Logger.getLogger(JobEventsConsumer.class);

  private final JobStopStates stops;
  private final AttemptRunner runner;
  private final ChunkMetrics metrics;

  JobEventsConsumer(JobStopStates stops, AttemptRunner runner, ChunkMetrics metrics) {
    this.stops = stops;
    this.runner = runner;
    this.metrics = metrics;
  }

  /** A stop command as the worker keeps it. */
  private record Command(String tenantId, String jobId, String state, JobEvent event) {}

  @Incoming("job-events-broadcast")
  @Blocking
  public CompletionStage<Void> onBroadcast(Message<String> record) {
    Command command;
    try {
      command = commandOf(EventJson.fromJson(record.getPayload(), JobEvent.class));
    } catch (RuntimeException e) {
      // The shared channel reads the same record, logs it and dead-letters it.
      return record.ack();
    }
    if (command != null) {
      stops.heard(command.tenantId(), command.jobId(), command.state(), offset(record));
      stopRunning(command);
    }
    return record.ack();
  }

  @Incoming("job-events")
  @Blocking
  public CompletionStage<Void> onJobEvent(Message<String> record) {
    JobEvent event;
    try {
      event = EventJson.fromJson(record.getPayload(), JobEvent.class);
    } catch (RuntimeException e) {
      LOG.warnf(
          "%s is not a valid job event, dead-lettering it: %s",
          Records.describe(record), e.getMessage());
      return record.nack(e);
    }
    Command command = commandOf(event);
    if (command == null) {
      return record.ack();
    }
    try {
      stops.record(
          command.tenantId(), command.jobId(), command.state(), offset(record), event.occurredAt());
    } catch (RuntimeException e) {
      LOG.errorf(
          e,
          "%s of job %s (tenant %s) could not be recorded; dead-lettering it",
          event.getClass().getSimpleName(),
          command.jobId(),
          command.tenantId());
      return record.nack(e);
    }
    metrics.jobStopEvent(event.getClass().getSimpleName());
    LOG.infof(
        "job %s (tenant %s) is %s (%s at offset %d)",
        command.jobId(),
        command.tenantId(),
        command.state(),
        event.getClass().getSimpleName(),
        offset(record));
    // This process may run attempts of the job too; stopping twice is harmless.
    stopRunning(command);
    return record.ack();
  }

  private void stopRunning(Command command) {
    if (JobStopStates.RESUMED.equals(command.state())) {
      return;
    }
    int stopped = runner.jobStopped(command.tenantId(), command.jobId(), command.state());
    if (stopped > 0) {
      LOG.infof(
          "job %s (tenant %s) %s: %d running attempt(s) stopped",
          command.jobId(), command.tenantId(), command.state(), stopped);
    }
  }

  private static Command commandOf(JobEvent event) {
    if (event instanceof JobPaused paused) {
      return new Command(paused.tenantId(), paused.jobId().value(), JobStopStates.PAUSED, event);
    }
    if (event instanceof JobCancelled cancelled) {
      return new Command(
          cancelled.tenantId(), cancelled.jobId().value(), JobStopStates.CANCELLED, event);
    }
    if (event instanceof JobResumed resumed) {
      return new Command(resumed.tenantId(), resumed.jobId().value(), JobStopStates.RESUMED, event);
    }
    return null;
  }

  private static long offset(Message<String> record) {
    return record
        .getMetadata(IncomingKafkaRecordMetadata.class)
        .map(metadata -> metadata.getOffset())
        .orElse(0L);
  }
}
