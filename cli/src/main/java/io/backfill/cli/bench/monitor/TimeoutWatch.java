package io.backfill.cli.bench.monitor;

import io.backfill.contracts.event.RunControlEvent;
import io.backfill.contracts.event.RunTimedOut;
import io.backfill.contracts.serde.EventJson;
import io.backfill.contracts.topic.Topics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Reads {@code run.control} from its beginning and judges each RunTimedOut of the fleet when it
 * arrives: a dead attempt's detection latency (receipt minus the send time of its last event), or a
 * false timeout (the attempt was still heartbeating when the timeout arrived).
 */
final class TimeoutWatch implements AutoCloseable {

  /** One timeout as received. */
  record Timeout(int index, boolean isFalse, long latencyNanos, Long staleAfterMs) {}

  private final HeartbeatFleet fleet;
  private final KafkaConsumer<String, String> consumer;
  private final Thread reader;
  private final Set<UUID> seenEvents = new HashSet<>();
  private final Set<Integer> timedOut = new HashSet<>();
  private final List<Timeout> timeouts = new ArrayList<>();
  private volatile boolean stopping;
  private volatile RuntimeException failure;

  TimeoutWatch(String bootstrapServers, HeartbeatFleet fleet) {
    this.fleet = fleet;
    Properties props = new Properties();
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    props.put(ConsumerConfig.CLIENT_ID_CONFIG, "monitor-bench-control");
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    props.put(ConsumerConfig.REQUEST_TIMEOUT_MS_CONFIG, "10000");
    props.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "30000");
    props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    this.consumer = new KafkaConsumer<>(props);
    try {
      List<TopicPartition> partitions = new ArrayList<>();
      consumer
          .partitionsFor(Topics.RUN_CONTROL, Duration.ofSeconds(30))
          .forEach(p -> partitions.add(new TopicPartition(p.topic(), p.partition())));
      if (partitions.isEmpty()) {
        throw new IllegalStateException(Topics.RUN_CONTROL + " has no partitions");
      }
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
    } catch (RuntimeException e) {
      consumer.close(CloseOptions.timeout(Duration.ofSeconds(5)));
      throw e;
    }
    this.reader = new Thread(this::read, "monitor-bench-control");
    reader.setDaemon(true);
    reader.start();
  }

  private void read() {
    try {
      while (!stopping) {
        for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(200))) {
          long receivedNanos = System.nanoTime();
          RunControlEvent event = EventJson.fromJson(record.value(), RunControlEvent.class);
          if (event instanceof RunTimedOut timeout) {
            judge(timeout, receivedNanos);
          }
        }
      }
    } catch (RuntimeException e) {
      failure = e;
    } finally {
      consumer.close(CloseOptions.timeout(Duration.ofSeconds(5)));
    }
  }

  private synchronized void judge(RunTimedOut timeout, long receivedNanos) {
    int index = fleet.indexOf(timeout.runId());
    // A re-sent outbox row is the same event; one judgement per attempt.
    if (index < 0 || !seenEvents.add(timeout.eventId()) || !timedOut.add(index)) {
      return;
    }
    boolean isFalse = !fleet.isDead(index);
    long latency = isFalse ? -1 : receivedNanos - fleet.lastSentNanos(index);
    timeouts.add(new Timeout(index, isFalse, latency, timeout.diagnosis().staleAfterMs()));
  }

  synchronized List<Timeout> timeouts() {
    return List.copyOf(timeouts);
  }

  /** Fails when the reader failed. */
  void check() {
    if (failure != null) {
      throw failure;
    }
  }

  @Override
  public void close() {
    stopping = true;
    try {
      reader.join(TimeUnit.SECONDS.toMillis(15));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
