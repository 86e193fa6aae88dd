package io.backfill.worker.messaging;

import io.backfill.contracts.deadletter.DeadLetterText;
import io.backfill.worker.domain.ChunkMetrics;
import io.smallrye.common.annotation.Identifier;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.kafka.IncomingKafkaRecord;
import io.smallrye.reactive.messaging.kafka.KafkaConnectorIncomingConfiguration;
import io.smallrye.reactive.messaging.kafka.KafkaConsumer;
import io.smallrye.reactive.messaging.kafka.fault.KafkaFailureHandler;
import io.vertx.mutiny.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.function.BiConsumer;
import org.eclipse.microprofile.reactive.messaging.Metadata;
import org.jboss.logging.Logger;

/**
 * The failure strategy of every consumer of the worker that dead-letters ({@code
 * failure-strategy=dead-letter-or-skip}): SmallRye's dead-letter queue, and when the dead-letter
 * send itself fails (the broker refuses the copy, or is unreachable past the producer's timeout)
 * the record is logged once with its topic, partition, offset and reason, counted in {@code
 * backfill_worker_dead_letter_failures_total{topic}} and acknowledged, so its offset is committed
 * and the consumer goes on: no record can stop it, and its readiness stays up.
 */
@ApplicationScoped
@Identifier(DeadLetterOrSkip.NAME)
public class DeadLetterOrSkip implements KafkaFailureHandler.Factory {

  public static final String NAME = "dead-letter-or-skip";

  private static final Logger LOG = Logger.getLogger(DeadLetterOrSkip.class);

  private final KafkaFailureHandler.Factory deadLetterQueue;
  private final ChunkMetrics metrics;

  DeadLetterOrSkip(
      @Identifier(KafkaFailureHandler.Strategy.DEAD_LETTER_QUEUE)
          KafkaFailureHandler.Factory deadLetterQueue,
      ChunkMetrics metrics) {
    this.deadLetterQueue = deadLetterQueue;
    this.metrics = metrics;
  }

  @Override
  public KafkaFailureHandler create(
      KafkaConnectorIncomingConfiguration config,
      Vertx vertx,
      KafkaConsumer<?, ?> consumer,
      BiConsumer<Throwable, Boolean> reportFailure) {
    KafkaFailureHandler delegate = deadLetterQueue.create(config, vertx, consumer, reportFailure);
    return new KafkaFailureHandler() {
      @Override
      public <K, V> Uni<Void> handle(
          IncomingKafkaRecord<K, V> record, Throwable reason, Metadata metadata) {
        return delegate
            .handle(record, reason, metadata)
            .onFailure()
            .recoverWithUni(
                failure -> {
                  metrics.deadLetterFailed(record.getTopic());
                  LOG.errorf(
                      "record %s-%d@%d could not be dead-lettered (%s); skipped, its offset is"
                          + " committed. It was rejected because: %s",
                      record.getTopic(),
                      record.getPartition(),
                      record.getOffset(),
                      DeadLetterText.truncate(String.valueOf(failure)),
                      DeadLetterText.truncate(String.valueOf(reason)));
                  return Uni.createFrom().completionStage(record.ack());
                });
      }

      @Override
      public void terminate() {
        delegate.terminate();
      }
    };
  }
}
