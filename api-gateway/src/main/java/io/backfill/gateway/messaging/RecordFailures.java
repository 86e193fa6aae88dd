package io.backfill.gateway.messaging;

import io.backfill.gateway.domain.LogText;
import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.reactive.messaging.kafka.api.IncomingKafkaRecordMetadata;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.concurrent.CompletionStage;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.jboss.logging.Logger;

/**
 * The one way the gateway's consumers fail a record: logged once with where it is and whose it is,
 * counted, and nacked so the channel's dead-letter strategy moves it to the topic's .dlq.
 */
@ApplicationScoped
public class RecordFailures {

  private static final Logger LOG = Logger.getLogger(RecordFailures.class);

  private final MeterRegistry metrics;

  RecordFailures(MeterRegistry metrics) {
    this.metrics = metrics;
  }

  public CompletionStage<Void> deadLetter(
      String topic, Message<byte[]> record, String tenantId, String ids, RuntimeException e) {
    metrics.counter("backfill_gateway_records_dead_lettered_total", "topic", topic).increment();
    LOG.errorf(
        e,
        "%s record %s (tenant %s, %s) not projected; it goes to %s.dlq: %s",
        topic,
        LogText.of(coordinates(record)),
        tenantId == null ? "unknown" : LogText.of(tenantId),
        ids == null ? "ids unknown" : LogText.of(ids),
        topic,
        LogText.of(e.getMessage()));
    return record.nack(e);
  }

  /** partition@offset and key: where to find the record, even when it could not be decoded. */
  static String coordinates(Message<byte[]> record) {
    return record
        .getMetadata(IncomingKafkaRecordMetadata.class)
        .map(m -> m.getPartition() + "@" + m.getOffset() + " key " + m.getKey())
        .orElse("(no Kafka metadata)");
  }
}
