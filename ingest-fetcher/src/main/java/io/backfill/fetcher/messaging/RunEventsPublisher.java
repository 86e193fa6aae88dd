package io.backfill.fetcher.messaging;

import io.backfill.contracts.event.Event;
import io.backfill.contracts.serde.EventJson;
import io.backfill.contracts.topic.Topics;
import io.backfill.fetcher.config.FetcherConfig;
import io.backfill.kit.attempt.AttemptPublisher;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.kafka.KafkaRecord;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.concurrent.CompletionStage;
import org.eclipse.microprofile.reactive.messaging.Channel;

/**
 * Publishes the fetcher's run events on {@code run.events}, keyed by runId (acks=all), for the
 * attempt lifecycle.
 */
@ApplicationScoped
public class RunEventsPublisher implements AttemptPublisher {

  private final MutinyEmitter<String> emitter;
  private final Duration timeout;

  RunEventsPublisher(@Channel("run-events") MutinyEmitter<String> emitter, FetcherConfig config) {
    this.emitter = emitter;
    this.timeout = config.publishTimeout();
  }

  /**
   * Hands the record to the emitter now (subscribing sends it, so it is ordered before anything
   * sent after this returns); the stage fails when nacked or not acknowledged within the publish
   * timeout. The channel is bound to {@code run.events}: no other topic is accepted.
   */
  @Override
  public CompletionStage<Void> send(String topic, String key, Event event) {
    if (!Topics.RUN_EVENTS.equals(topic)) {
      throw new IllegalArgumentException("this publisher sends to run.events only, not " + topic);
    }
    return emitter
        .sendMessage(KafkaRecord.of(key, EventJson.toJson(event)))
        .ifNoItem()
        .after(timeout)
        .fail()
        .subscribeAsCompletionStage();
  }
}
