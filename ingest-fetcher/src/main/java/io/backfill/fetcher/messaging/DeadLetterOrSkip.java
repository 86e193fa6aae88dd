package io.backfill.fetcher.messaging;

import io.backfill.contracts.deadletter.DeadLetterText;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.common.annotation.Identifier;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.kafka.IncomingKafkaRecord;
import io.smallrye.reactive.messaging.kafka.KafkaConnectorIncomingConfiguration;
import io.smallrye.reactive.messaging.kafka.KafkaConsumer;
import io.smallrye.reactive.messaging.kafka.fault.KafkaFailureHandler;
import io.vertx.mutiny.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.function.BiConsumer;
import org.eclipse.microprofile.reactive.messaging.Metadata;
import org.jboss.logging.Logger;

/**
 * The consumers' failure strategy ({@code failure-strategy=dead-letter-or-skip}): the built-in
 * dead-letter queue, with the reason cut to 1 KiB, and when even that fails (the dead-letter topic
 * refuses the record, the broker does not answer) the record is logged once with its coordinates,
 * counted in {@code backfill_fetcher_dead_letter_failures_total{topic}} and skipped, its offset
 * committed. One record can never stop a consumer, nor its readiness.
 */
@ApplicationScoped
@Identifier(DeadLetterOrSkip.NAME)
public class DeadLetterOrSkip implements KafkaFailureHandler.Factory {

  public static final String NAME = "dead-letter-or-skip";

  private static final Logger LOG = Logger.getLogger(DeadLetterOrSkip.class);

  @Inject
  @Identifier(KafkaFailureHandler.Strategy.DEAD_LETTER_QUEUE)
  KafkaFailureHandler.Factory deadLetterQueue;

  @Inject MeterRegistry registry;

  @Override
  public KafkaFailureHandler create(
      KafkaConnectorIncomingConfiguration config,
      Vertx vertx,
      KafkaConsumer<?, ?> consumer,
      BiConsumer<Throwable, Boolean> reportFailure) {
    KafkaFailureHandler dlq = deadLetterQueue.create(config, vertx, consumer, reportFailure);
    return new KafkaFailureHandler() {
      @Override
      public <K, V> Uni<Void> handle(
          IncomingKafkaRecord<K, V> record, Throwable reason, Metadata metadata) {
        return dlq.handle(record, shortened(reason), metadata)
            .onFailure()
            .recoverWithUni(failure -> skip(record, reason, failure));
      }

      @Override
      public void terminate() {
        dlq.terminate();
      }
    };
  }

  private <K, V> Uni<Void> skip(
      IncomingKafkaRecord<K, V> record, Throwable reason, Throwable failure) {
    Counter.builder("backfill_fetcher_dead_letter_failures_total")
        .description("Records that could not be dead-lettered and were skipped")
        .tag("topic", record.getTopic())
        .register(registry)
        .increment();
    LOG.errorf(
        "record %s-%d@%d (key %s) could not be dead-lettered (%s) and is skipped; it was refused"
            + " because: %s",
        record.getTopic(),
        record.getPartition(),
        record.getOffset(),
        DeadLetterText.truncate(String.valueOf(record.getKey())),
        DeadLetterText.truncate(failure.getClass().getSimpleName() + ": " + failure.getMessage()),
        DeadLetterText.truncate(String.valueOf(reason.getMessage())));
    return Uni.createFrom().completionStage(record.ack());
  }

  /**
   * The reason as the dead-letter headers will carry it: a message longer than 1 KiB (one that
   * echoes its input) is cut, keeping the failure's type.
   */
  static Throwable shortened(Throwable reason) {
    String message = reason.getMessage();
    Throwable cause = reason.getCause();
    boolean causeLong =
        cause != null
            && cause.getMessage() != null
            && cause.getMessage().length() > DeadLetterText.MAX_BYTES;
    if ((message == null || message.length() <= DeadLetterText.MAX_BYTES) && !causeLong) {
      return reason;
    }
    return new ShortenedFailure(reason);
  }

  /** A failure whose message (and its cause's) is cut to 1 KiB, naming the original type. */
  static final class ShortenedFailure extends RuntimeException {
    ShortenedFailure(Throwable original) {
      super(
          DeadLetterText.truncate(original.getClass().getName() + ": " + original.getMessage()),
          null,
          false,
          false);
    }
  }
}
