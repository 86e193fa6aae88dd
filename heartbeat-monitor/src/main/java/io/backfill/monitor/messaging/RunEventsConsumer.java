package io.backfill.monitor.messaging;

import io.backfill.contracts.event.RunEvent;
import io.backfill.contracts.serde.EventJson;
import io.backfill.monitor.domain.RunLedger;
import io.backfill.monitor.reaper.LedgerCatchUp;
import io.smallrye.reactive.messaging.annotations.Blocking;
import io.smallrye.reactive.messaging.kafka.api.IncomingKafkaRecordMetadata;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.concurrent.CompletionStage;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.jboss.logging.Logger;
import org.jboss.logging.MDC;

/**
 * Consumes {@code run.events} into the ledger. A record that is not a valid run event, or cannot be
 * applied, is logged here once with its ids and nacked, so it goes to {@code run.events.dlq} with
 * the reason (see application.properties). Nacking instead of throwing keeps SmallRye from logging
 * the same failure again without the ids.
 */
@ApplicationScoped
public class RunEventsConsumer {

  private static final Logger LOG = Logger.getLogger(RunEventsConsumer.class);

  private final RunLedger ledger;
  private final LedgerCatchUp catchUp;

  RunEventsConsumer(RunLedger ledger, LedgerCatchUp catchUp) {
    this.ledger = ledger;
    this.catchUp = catchUp;
  }

  @Incoming("run-events")
  @Blocking
  public CompletionStage<Void> onRunEvent(Message<String> record) {
    RunEvent event = null;
    try {
      event = EventJson.fromJson(record.getPayload(), RunEvent.class);
      MDC.put("tenantId", event.tenantId());
      MDC.put("jobId", event.jobId().value());
      MDC.put("runId", event.runId().value());
      MDC.put("attemptId", event.attemptId().toString());
      ledger.apply(event);
      return record.ack();
    } catch (RuntimeException e) {
      LOG.errorf(
          e,
          "run.events record %s (tenant %s, run %s, attempt %s) not applied; it goes to"
              + " run.events.dlq: %s",
          coordinates(record),
          event == null ? "unknown" : event.tenantId(),
          event == null ? "unknown" : event.runId(),
          event == null ? "unknown" : event.attemptId(),
          e.getMessage());
      return record.nack(e);
    } finally {
      // Applied, fenced or dead-lettered: either way the ledger has read this record.
      record
          .getMetadata(IncomingKafkaRecordMetadata.class)
          .ifPresent(m -> catchUp.processed(m.getPartition(), m.getOffset()));
      MDC.remove("tenantId");
      MDC.remove("jobId");
      MDC.remove("runId");
      MDC.remove("attemptId");
    }
  }

  /** partition@offset and key: where to find the record, even when it could not be decoded. */
  private static String coordinates(Message<String> record) {
    return record
        .getMetadata(IncomingKafkaRecordMetadata.class)
        .map(m -> m.getPartition() + "@" + m.getOffset() + " key " + m.getKey())
        .orElse("(no Kafka metadata)");
  }
}
