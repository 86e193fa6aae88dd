package io.backfill.monitor.messaging;

import io.backfill.contracts.deadletter.DeadLetterText;
import io.backfill.contracts.topic.Topics;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.Startup;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.eclipse.microprofile.reactive.messaging.Metadata;
import org.jboss.logging.Logger;

/**
 * Sends a consumed record to its dead-letter topic with SmallRye's dead-letter headers, the reason
 * cut to 1 KiB. A value larger than its source topic's limit (a compressed record can be) is cut to
 * 1 KiB too, with its size in a header: the copy must fit the dead-letter producer's request size.
 * A record that cannot be dead-lettered is logged once with where it was read, counted in {@code
 * backfill_monitor_dead_letter_failures_total{topic}}, and skipped: a consumer never stops on it.
 */
@ApplicationScoped
@Startup
public class DeadLetters {

  private static final Logger LOG = Logger.getLogger(DeadLetters.class);
  private static final Duration SEND_TIMEOUT = Duration.ofSeconds(30);

  private final MeterRegistry metrics;

  DeadLetters(MeterRegistry metrics) {
    this.metrics = metrics;
    // Exported from the start (at 0) for the topics this service consumes.
    for (String topic : java.util.List.of(Topics.RUN_EVENTS, Topics.JOB_EVENTS)) {
      metrics.counter("backfill_monitor_dead_letter_failures_total", "topic", topic);
    }
  }

  /** Where the record was read and what it held. */
  public record Source(String topic, int partition, long offset, String key, String value) {}

  /** Sends the copy and waits for its ack; false when it could not be dead-lettered (counted). */
  public boolean send(
      MutinyEmitter<String> emitter, Source source, String reason, Throwable cause) {
    String value = source.value() == null ? "" : source.value();
    int valueBytes = value.getBytes(StandardCharsets.UTF_8).length;
    RecordHeaders headers = new RecordHeaders();
    headers.add("dead-letter-reason", bytes(DeadLetterText.truncate(reason)));
    if (cause != null) {
      headers.add("dead-letter-cause", bytes(cause.getClass().getName()));
    }
    headers.add("dead-letter-topic", bytes(source.topic()));
    headers.add("dead-letter-partition", bytes(String.valueOf(source.partition())));
    headers.add("dead-letter-offset", bytes(String.valueOf(source.offset())));
    if (source.value() == null) {
      headers.add("dead-letter-tombstone", bytes("true"));
    }
    if (valueBytes > Topics.EVENT_MAX_MESSAGE_BYTES) {
      headers.add("dead-letter-value-bytes", bytes(String.valueOf(valueBytes)));
      value = DeadLetterText.truncate(value);
    }
    OutgoingKafkaRecordMetadata<String> metadata =
        OutgoingKafkaRecordMetadata.<String>builder()
            .withKey(source.key())
            .withHeaders(headers)
            .build();
    try {
      emitter.sendMessage(Message.of(value, Metadata.of(metadata))).await().atMost(SEND_TIMEOUT);
      return true;
    } catch (RuntimeException e) {
      metrics
          .counter("backfill_monitor_dead_letter_failures_total", "topic", source.topic())
          .increment();
      LOG.errorf(
          "%s record %d@%d (key %s, %d bytes) could not be dead-lettered and is skipped: %s;"
              + " it was dead-lettered because: %s",
          source.topic(),
          source.partition(),
          source.offset(),
          source.key(),
          valueBytes,
          e.toString(),
          DeadLetterText.truncate(reason));
      return false;
    }
  }

  private static byte[] bytes(String text) {
    return (text == null ? "" : text).getBytes(StandardCharsets.UTF_8);
  }
}
