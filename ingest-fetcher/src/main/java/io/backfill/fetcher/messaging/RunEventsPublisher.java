package io.backfill.fetcher.messaging;

import io.backfill.contracts.event.RunEvent;
import io.backfill.contracts.serde.EventJson;
import io.backfill.fetcher.config.FetcherConfig;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.kafka.KafkaRecord;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import org.eclipse.microprofile.reactive.messaging.Channel;

/** Publishes the fetcher's run events on {@code run.events}, keyed by runId (acks=all). */
@ApplicationScoped
public class RunEventsPublisher {

  private final MutinyEmitter<String> emitter;
  private final Duration timeout;

  RunEventsPublisher(@Channel("run-events") MutinyEmitter<String> emitter, FetcherConfig config) {
    this.emitter = emitter;
    this.timeout = config.publishTimeout();
  }

  /** Sends and waits for the broker's ack; throws when nacked or timed out. */
  public void publish(RunEvent event) {
    send(event).await().atMost(timeout);
  }

  /** Sends without waiting: heartbeats must never block their scheduler thread. */
  public Uni<Void> send(RunEvent event) {
    return emitter
        .sendMessage(KafkaRecord.of(event.key(), EventJson.toJson(event)))
        .ifNoItem()
        .after(timeout)
        .fail();
  }
}
