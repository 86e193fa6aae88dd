package io.backfill.kit.deadletter;

import io.backfill.contracts.deadletter.DeadLetterText;
import io.backfill.contracts.topic.Topics;
import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.kafka.IncomingKafkaRecord;
import io.smallrye.reactive.messaging.kafka.KafkaConnectorIncomingConfiguration;
import io.smallrye.reactive.messaging.kafka.KafkaConsumer;
import io.smallrye.reactive.messaging.kafka.fault.KafkaFailureHandler;
import io.smallrye.reactive.messaging.providers.impl.Configs;
import io.vertx.mutiny.core.Vertx;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.function.BiConsumer;
import org.eclipse.microprofile.reactive.messaging.Metadata;
import org.jboss.logging.Logger;

/**
 * The failure strategy of every consumer that dead-letters ({@code
 * failure-strategy=dead-letter-or-skip}): the built-in dead-letter queue, with three changes so
 * that no record can stop a consumer.
 *
 * <ul>
 *   <li>The dead-letter producer's {@code max.request.size} is {@link
 *       Topics#deadLetterMaxRequestBytes} of the source topic, so every record the source accepts
 *       fits (the built-in producer keeps Kafka's 1 MiB default), unless the channel sets {@code
 *       dead-letter-queue.max.request.size} itself.
 *   <li>The reason and its cause are cut to {@link DeadLetterText#MAX_BYTES}: a reason that echoes
 *       its input cannot make the copy too large.
 *   <li>A record whose copy cannot be written (too large even so, dead-letter topic unavailable) is
 *       logged once with topic, partition and offset, counted in the service's {@code
 *       backfill_<service>_dead_letter_failures_total{topic}} and acknowledged, so its offset is
 *       committed and the partition moves on. The built-in handler would leave it unacknowledged:
 *       the throttled commit strategy then marks the channel unhealthy and readiness goes down.
 * </ul>
 *
 * <p>Each service declares it as a bean named {@link #NAME}, giving its own counter name.
 */
public abstract class DeadLetterOrSkipStrategy implements KafkaFailureHandler.Factory {

  public static final String NAME = "dead-letter-or-skip";

  private static final Logger LOG = Logger.getLogger(DeadLetterOrSkipStrategy.class);
  private static final String DLQ_MAX_REQUEST_SIZE = "dead-letter-queue.max.request.size";

  private final KafkaFailureHandler.Factory deadLetterQueue;
  private final MeterRegistry metrics;
  private final String failuresCounter;

  protected DeadLetterOrSkipStrategy(
      KafkaFailureHandler.Factory deadLetterQueue, MeterRegistry metrics, String failuresCounter) {
    this.deadLetterQueue = deadLetterQueue;
    this.metrics = metrics;
    this.failuresCounter = failuresCounter;
  }

  @Override
  public KafkaFailureHandler create(
      KafkaConnectorIncomingConfiguration config,
      Vertx vertx,
      KafkaConsumer<?, ?> consumer,
      BiConsumer<Throwable, Boolean> reportFailure) {
    String source = config.getTopic().orElse(config.getChannel());
    // A size the channel configures itself wins (a test makes it small on purpose).
    KafkaConnectorIncomingConfiguration sized =
        config.config().getOptionalValue(DLQ_MAX_REQUEST_SIZE, String.class).isPresent()
            ? config
            : new KafkaConnectorIncomingConfiguration(
                Configs.override(
                    config.config(),
                    Map.of(DLQ_MAX_REQUEST_SIZE, Topics.deadLetterMaxRequestBytes(source))));
    KafkaFailureHandler delegate = deadLetterQueue.create(sized, vertx, consumer, reportFailure);
    return new Handler(delegate);
  }

  /** The reason as the dead-letter headers carry it: cut to 1 KiB, its cause too. */
  public static Throwable truncated(Throwable reason) {
    if (fits(reason) && (reason.getCause() == null || fits(reason.getCause()))) {
      return reason;
    }
    Throwable cause = reason.getCause();
    Throwable cutCause =
        cause == null ? null : new CutReason(cause.getClass().getName(), cause.toString(), null);
    return new CutReason(reason.getClass().getName(), reason.getMessage(), cutCause);
  }

  private static boolean fits(Throwable t) {
    String message = t.getMessage();
    return message == null
        || message.getBytes(StandardCharsets.UTF_8).length <= DeadLetterText.MAX_BYTES;
  }

  /** Text from a record for a log line: cut, with control and line-separator characters escaped. */
  static String logSafe(Object value) {
    StringBuilder out = new StringBuilder();
    DeadLetterText.truncate(String.valueOf(value))
        .codePoints()
        .forEach(
            c -> {
              boolean escaped = Character.isISOControl(c) || c == 0x2028 || c == 0x2029;
              if (escaped) {
                out.append(String.format("\\u%04x", c));
              } else {
                out.appendCodePoint(c);
              }
            });
    return out.toString();
  }

  /** A reason whose message was too long for a header, cut; it names the original class. */
  public static final class CutReason extends RuntimeException {
    private static final long serialVersionUID = 1L;

    CutReason(String originalClass, String message, Throwable cause) {
      super(DeadLetterText.truncate(originalClass + ": " + message), cause, false, false);
    }
  }

  private final class Handler implements KafkaFailureHandler {

    private final KafkaFailureHandler delegate;

    Handler(KafkaFailureHandler delegate) {
      this.delegate = delegate;
    }

    @Override
    public <K, V> Uni<Void> handle(
        IncomingKafkaRecord<K, V> record, Throwable reason, Metadata metadata) {
      Uni<Void> deadLettered;
      try {
        deadLettered = delegate.handle(record, truncated(reason), metadata);
      } catch (RuntimeException e) {
        deadLettered = Uni.createFrom().failure(e);
      }
      return deadLettered
          .onFailure()
          .recoverWithUni(
              failure -> {
                metrics.counter(failuresCounter, "topic", record.getTopic()).increment();
                LOG.errorf(
                    "%s record %d@%d (key %s) could not be dead-lettered to %s.dlq and is skipped"
                        + " (offset committed): %s; it was refused because: %s",
                    record.getTopic(),
                    record.getPartition(),
                    record.getOffset(),
                    record.getKey() == null ? "none" : logSafe(record.getKey()),
                    record.getTopic(),
                    logSafe(failure),
                    logSafe(reason.getMessage()));
                return Uni.createFrom().completionStage(record.ack());
              });
    }

    @Override
    public void terminate() {
      delegate.terminate();
    }
  }
}
