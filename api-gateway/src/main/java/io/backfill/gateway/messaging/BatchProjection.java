package io.backfill.gateway.messaging;

import io.backfill.contracts.event.Event;
import io.backfill.contracts.serde.EventJson;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.smallrye.reactive.messaging.kafka.KafkaRecord;
import io.smallrye.reactive.messaging.kafka.KafkaRecordBatch;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Predicate;
import org.jboss.logging.Logger;

/**
 * Projects one polled batch of a topic's records in one transaction, so a busy topic costs a
 * transaction per poll rather than one per record. What a record-at-a-time consumer guaranteed
 * still holds:
 *
 * <ul>
 *   <li>Records are applied in the order they were polled (per partition, the topic's order).
 *   <li>A record that is not a valid event is dead-lettered with its reason (via {@link
 *       RecordFailures}, so the channel's dead-letter strategy writes it); the others are applied.
 *   <li>A transient database failure retries the whole batch ({@link TransientRetry}); when that
 *       gives up, every record of the batch is dead-lettered with the failure, as each record would
 *       have been on its own.
 *   <li>Any other failure rolls the batch back and applies its records one by one, each in its own
 *       transaction with the same retries: only the record that fails is dead-lettered.
 * </ul>
 *
 * Applying twice is harmless (projections are idempotent by event id), and the batch is
 * acknowledged only once every dead letter of it was written.
 */
@ApplicationScoped
public class BatchProjection {

  private static final Logger LOG = Logger.getLogger(BatchProjection.class);

  /** How the consumer of one topic decodes, filters, applies and names its events. */
  public record Topic<E extends Event>(
      String name,
      Class<E> type,
      Predicate<E> projected,
      Consumer<E> apply,
      Function<E, String> ids) {}

  private final RecordFailures failures;

  BatchProjection(RecordFailures failures) {
    this.failures = failures;
  }

  /**
   * Decodes the batch, hands every event that {@code topic.projected()} refuses to {@code
   * elsewhere} (e.g. heartbeats to the coalescer) and projects the rest in one transaction.
   */
  public <E extends Event> CompletionStage<Void> project(
      Topic<E> topic, KafkaRecordBatch<String, byte[]> batch, Consumer<E> elsewhere) {
    List<Failed> failed = new ArrayList<>();
    List<Decoded<E>> toProject = new ArrayList<>();
    int index = 0;
    for (KafkaRecord<String, byte[]> record : batch) {
      index++;
      E event;
      try {
        event = EventJson.fromBytes(record.getPayload(), topic.type());
      } catch (RuntimeException e) {
        failed.add(new Failed(index, record, null, null, e));
        continue;
      }
      if (topic.projected().test(event)) {
        toProject.add(new Decoded<>(index, record, event));
      } else {
        elsewhere.accept(event);
      }
    }
    if (!toProject.isEmpty()) {
      apply(topic, toProject, failed);
    }
    // Dead-lettered only now, in the records' order: a dead letter acknowledges its record, and
    // that must not let the partition's offset pass records of the batch not yet applied.
    failed.sort(Comparator.comparingInt(Failed::index));
    CompletableFuture<?>[] deadLetters =
        failed.stream()
            .map(
                f ->
                    failures
                        .deadLetter(topic.name(), f.record(), f.tenantId(), f.ids(), f.failure())
                        .toCompletableFuture())
            .toArray(CompletableFuture[]::new);
    return CompletableFuture.allOf(deadLetters).thenCompose(done -> batch.ack());
  }

  private <E extends Event> void apply(
      Topic<E> topic, List<Decoded<E>> records, List<Failed> failed) {
    try {
      TransientRetry.run(
          "projecting a batch of " + records.size() + " " + topic.name() + " events",
          () ->
              QuarkusTransaction.requiringNew()
                  .run(() -> records.forEach(r -> topic.apply().accept(r.event()))));
      return;
    } catch (RuntimeException e) {
      if (TransientRetry.isTransient(e)) {
        // The database stayed away: each record would have given up the same way on its own.
        records.forEach(r -> failed.add(failure(topic, r, e)));
        return;
      }
      LOG.debugf(
          e,
          "%s batch of %d failed; applying its records one by one",
          topic.name(),
          records.size());
    }
    for (Decoded<E> r : records) {
      try {
        TransientRetry.run(
            "projecting " + r.event().eventId(), () -> topic.apply().accept(r.event()));
      } catch (RuntimeException e) {
        failed.add(failure(topic, r, e));
      }
    }
  }

  private static <E extends Event> Failed failure(
      Topic<E> topic, Decoded<E> r, RuntimeException e) {
    return new Failed(r.index(), r.record(), r.event().tenantId(), topic.ids().apply(r.event()), e);
  }

  /** A decoded record, with its place in the batch. */
  private record Decoded<E>(int index, KafkaRecord<String, byte[]> record, E event) {}

  /** A record to dead-letter, with its place in the batch and what is known of whose it is. */
  private record Failed(
      int index,
      KafkaRecord<String, byte[]> record,
      String tenantId,
      String ids,
      RuntimeException failure) {}
}
