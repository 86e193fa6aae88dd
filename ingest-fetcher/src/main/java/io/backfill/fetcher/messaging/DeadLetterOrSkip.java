package io.backfill.fetcher.messaging;

import io.backfill.kit.deadletter.DeadLetterOrSkipStrategy;
import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.common.annotation.Identifier;
import io.smallrye.reactive.messaging.kafka.fault.KafkaFailureHandler;
import jakarta.inject.Singleton;

/**
 * The fetcher's consumers' failure strategy ({@code failure-strategy=dead-letter-or-skip}): the
 * kit's rule, counting records it had to skip in {@code
 * backfill_fetcher_dead_letter_failures_total{topic}}.
 */
@Singleton
@Identifier(DeadLetterOrSkipStrategy.NAME)
public class DeadLetterOrSkip extends DeadLetterOrSkipStrategy {

  DeadLetterOrSkip(
      @Identifier(KafkaFailureHandler.Strategy.DEAD_LETTER_QUEUE)
          KafkaFailureHandler.Factory deadLetterQueue,
      MeterRegistry metrics) {
    super(deadLetterQueue, metrics, "backfill_fetcher_dead_letter_failures_total");
  }
}
