package io.backfill.testkit;

import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.jboss.logging.Logger;

/**
 * Reads every record of a topic, from the beginning, on a background thread.
 *
 * <p>It assigns itself all partitions instead of joining a consumer group, so it never takes
 * partitions away from the service under test and sees records from the first offset.
 */
public final class RecordTap implements AutoCloseable {

  private static final Logger LOG = Logger.getLogger(RecordTap.class);
  private static final Duration TOPIC_TIMEOUT = Duration.ofSeconds(30);

  private final String topic;
  private final KafkaConsumer<String, String> consumer;
  private final List<ConsumerRecord<String, String>> records = new CopyOnWriteArrayList<>();
  private final Thread poller;
  private volatile boolean running = true;

  private RecordTap(String bootstrapServers, String topic) {
    this.topic = topic;
    Properties props = new Properties();
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    this.consumer = new KafkaConsumer<>(props);
    List<TopicPartition> partitions = partitionsOf(topic);
    consumer.assign(partitions);
    consumer.seekToBeginning(partitions);
    this.poller = new Thread(this::pollUntilClosed, "record-tap-" + topic);
    poller.setDaemon(true);
    poller.start();
  }

  /** Starts reading {@code topic}, which must exist (waits up to 30 s for its metadata). */
  public static RecordTap open(String bootstrapServers, String topic) {
    return new RecordTap(bootstrapServers, topic);
  }

  /** A snapshot of the records read so far, in the order read. */
  public List<ConsumerRecord<String, String>> records() {
    return List.copyOf(records);
  }

  /** The values read so far. */
  public List<String> values() {
    return records.stream().map(ConsumerRecord::value).toList();
  }

  /** Waits until at least {@code n} records were read; returns them all. */
  public List<ConsumerRecord<String, String>> awaitCount(int n, Duration timeout) {
    await("" + n + " records on " + topic)
        .atMost(timeout)
        .pollInterval(Duration.ofMillis(50))
        .until(() -> records.size() >= n);
    return records();
  }

  @Override
  public void close() {
    running = false;
    consumer.wakeup();
    try {
      poller.join(TimeUnit.SECONDS.toMillis(10));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      LOG.warnf("Interrupted while closing the tap on %s", topic);
    }
  }

  private List<TopicPartition> partitionsOf(String topic) {
    long deadline = System.nanoTime() + TOPIC_TIMEOUT.toNanos();
    while (System.nanoTime() < deadline) {
      List<PartitionInfo> infos = List.of();
      try {
        infos = consumer.partitionsFor(topic, Duration.ofSeconds(5));
      } catch (org.apache.kafka.common.errors.TimeoutException e) {
        LOG.debugf("No metadata for %s yet: %s", topic, e.getMessage());
      }
      if (infos != null && !infos.isEmpty()) {
        List<TopicPartition> partitions = new ArrayList<>();
        for (PartitionInfo info : infos) {
          partitions.add(new TopicPartition(info.topic(), info.partition()));
        }
        return partitions;
      }
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100));
    }
    consumer.close();
    throw new IllegalStateException("Topic " + topic + " has no partitions after " + TOPIC_TIMEOUT);
  }

  private void pollUntilClosed() {
    try {
      while (running) {
        for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(200))) {
          records.add(record);
        }
      }
    } catch (WakeupException e) {
      // close() wakes the consumer to end the loop; only unexpected when still running.
      if (running) {
        LOG.warnf(e, "Tap on %s woken up while running", topic);
      }
    } catch (RuntimeException e) {
      LOG.errorf(e, "Tap on %s stopped reading", topic);
    } finally {
      consumer.close(CloseOptions.timeout(Duration.ofSeconds(5)));
    }
  }
}
