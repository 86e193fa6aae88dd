package io.backfill.gateway.messaging;

import io.backfill.contracts.event.JobEvent;
import io.backfill.contracts.topic.Topics;
import io.backfill.gateway.domain.JobStatusProjection;
import io.smallrye.reactive.messaging.annotations.Blocking;
import io.smallrye.reactive.messaging.kafka.KafkaRecordBatch;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.concurrent.CompletionStage;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.MDC;

/**
 * Consumes {@code job.events} into the job status read model, one transaction per polled batch
 * ({@link BatchProjection}). A record that is not a valid job event, or that cannot be projected,
 * is logged once with its ids and nacked, so it goes to {@code job.events.dlq} with the reason (see
 * application.properties); the rest of its batch is projected.
 */
@ApplicationScoped
public class JobEventsConsumer {

  private final BatchProjection batches;
  private final BatchProjection.Topic<JobEvent> topic;

  JobEventsConsumer(JobStatusProjection projection, BatchProjection batches) {
    this.batches = batches;
    this.topic =
        new BatchProjection.Topic<>(
            Topics.JOB_EVENTS,
            JobEvent.class,
            event -> true,
            event -> {
              MDC.put("tenantId", event.tenantId());
              MDC.put("jobId", event.jobId().value());
              try {
                projection.apply(event);
              } finally {
                MDC.remove("tenantId");
                MDC.remove("jobId");
              }
            },
            event -> "job " + event.jobId());
  }

  @Incoming("job-events")
  @Blocking
  public CompletionStage<Void> onJobEvents(KafkaRecordBatch<String, byte[]> batch) {
    return batches.project(topic, batch, event -> {});
  }
}
