package io.backfill.fetcher.messaging;

import io.backfill.contracts.event.BackfillRequestEvent;
import io.backfill.contracts.event.BackfillRequested;
import io.backfill.contracts.serde.EventDecodingException;
import io.backfill.contracts.serde.EventJson;
import io.backfill.fetcher.domain.IntakeMetrics;
import io.backfill.fetcher.domain.IntakeOutcome;
import io.backfill.fetcher.domain.JobIntake;
import io.smallrye.reactive.messaging.annotations.Blocking;
import io.smallrye.reactive.messaging.kafka.api.IncomingKafkaRecordMetadata;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.concurrent.CompletionStage;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.jboss.logging.Logger;

/**
 * Consumes {@code backfill.requests} into job intake. A record that is not a valid request event,
 * or whose intake fails, is nacked and goes to {@code backfill.requests.dlq} with the reason (see
 * application.properties).
 *
 * <p>It nacks explicitly instead of throwing, so each failure is logged once, with what identifies
 * it, rather than again with a stack trace by the messaging runtime.
 */
@ApplicationScoped
public class BackfillRequestsConsumer {

  private static final Logger LOG = Logger.getLogger(BackfillRequestsConsumer.class);

  private final JobIntake intake;
  private final IntakeMetrics metrics;

  BackfillRequestsConsumer(JobIntake intake, IntakeMetrics metrics) {
    this.intake = intake;
    this.metrics = metrics;
  }

  @Incoming("backfill-requests")
  @Blocking
  public CompletionStage<Void> onRequest(Message<String> record) {
    BackfillRequested request;
    try {
      BackfillRequestEvent event =
          EventJson.fromJson(record.getPayload(), BackfillRequestEvent.class);
      if (!(event instanceof BackfillRequested requested)) {
        throw new IllegalStateException("unhandled request event " + event.getClass().getName());
      }
      request = requested;
    } catch (EventDecodingException e) {
      metrics.count(IntakeOutcome.MALFORMED);
      LOG.warnf("dead-lettering %s: %s", describe(record), e.getMessage());
      return record.nack(e);
    }
    try {
      intake.take(request);
    } catch (RuntimeException e) {
      // JobIntake has logged and counted it with the tenant and job ids.
      return record.nack(e);
    }
    return record.ack();
  }

  private static String describe(Message<String> record) {
    return record
        .getMetadata(IncomingKafkaRecordMetadata.class)
        .map(
            kafka ->
                "record "
                    + kafka.getTopic()
                    + "-"
                    + kafka.getPartition()
                    + "@"
                    + kafka.getOffset()
                    + " (key "
                    + kafka.getKey()
                    + ")")
        .orElse("a record without Kafka metadata");
  }
}
