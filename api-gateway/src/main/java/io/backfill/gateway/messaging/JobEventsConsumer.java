package io.backfill.gateway.messaging;

import io.backfill.contracts.event.JobEvent;
import io.backfill.contracts.serde.EventJson;
import io.backfill.gateway.domain.JobStatusProjection;
import io.backfill.gateway.domain.LogText;
import io.smallrye.reactive.messaging.annotations.Blocking;
import io.smallrye.reactive.messaging.kafka.api.IncomingKafkaRecordMetadata;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.concurrent.CompletionStage;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.jboss.logging.Logger;
import org.jboss.logging.MDC;

/**
 * Consumes {@code job.events} into the job status read model. A record that is not a valid job
 * event, or that cannot be projected, is logged here once with its ids and nacked, so it goes to
 * {@code job.events.dlq} with the reason (see application.properties). Nacking instead of throwing
 * keeps SmallRye from logging the same failure a second time without the ids.
 */
@ApplicationScoped
public class JobEventsConsumer {

  private static final Logger LOG = Logger.getLogger(JobEventsConsumer.class);

  private final JobStatusProjection projection;

  JobEventsConsumer(JobStatusProjection projection) {
    this.projection = projection;
  }

  @Incoming("job-events")
  @Blocking
  public CompletionStage<Void> onJobEvent(Message<byte[]> record) {
    JobEvent event = null;
    try {
      event = EventJson.fromBytes(record.getPayload(), JobEvent.class);
      MDC.put("tenantId", event.tenantId());
      MDC.put("jobId", event.jobId().value());
      JobEvent decoded = event;
      TransientRetry.run("projecting " + event.eventId(), () -> projection.apply(decoded));
      return record.ack();
    } catch (RuntimeException e) {
      LOG.errorf(
          e,
          "job.events record %s (tenant %s, job %s) not projected; it goes to job.events.dlq: %s",
          LogText.of(coordinates(record)),
          event == null ? "unknown" : LogText.of(event.tenantId()),
          event == null ? "unknown" : event.jobId(),
          LogText.of(e.getMessage()));
      return record.nack(e);
    } finally {
      MDC.remove("tenantId");
      MDC.remove("jobId");
    }
  }

  /** partition@offset and key: where to find the record, even when it could not be decoded. */
  private static String coordinates(Message<byte[]> record) {
    return record
        .getMetadata(IncomingKafkaRecordMetadata.class)
        .map(m -> m.getPartition() + "@" + m.getOffset() + " key " + m.getKey())
        .orElse("(no Kafka metadata)");
  }
}
