package io.backfill.fetcher.messaging;

import io.backfill.contracts.event.JobEvent;
import io.backfill.contracts.serde.EventJson;
import io.backfill.fetcher.config.FetcherConfig;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.kafka.KafkaRecord;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import org.eclipse.microprofile.reactive.messaging.Channel;

/**
 * Publishes job events on {@code job.events}, keyed by jobId, and returns only once the broker has
 * acknowledged them (acks=all): callers record "published" only after that.
 */
@ApplicationScoped
public class JobEventsPublisher {

  private final MutinyEmitter<String> emitter;
  private final Duration timeout;

  JobEventsPublisher(@Channel("job-events") MutinyEmitter<String> emitter, FetcherConfig config) {
    this.emitter = emitter;
    this.timeout = config.publishTimeout();
  }

  /** Sends the event and waits for the broker's ack; throws when it is nacked or times out. */
  public void publish(JobEvent event) {
    emitter
        .sendMessage(KafkaRecord.of(event.key(), EventJson.toJson(event)))
        .await()
        .atMost(timeout);
  }
}
