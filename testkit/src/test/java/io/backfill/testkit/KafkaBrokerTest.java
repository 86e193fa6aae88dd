package io.backfill.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.IntStream;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.jboss.logging.Logger;
import org.junit.jupiter.api.Test;

class KafkaBrokerTest {

  private static final Logger LOG = Logger.getLogger(KafkaBrokerTest.class);
  private static final Duration WAIT = Duration.ofSeconds(60);

  @Test
  void sharedBrokerRoundTripsAThousandRecordsThroughAConsumerGroup() {
    KafkaBroker broker = KafkaBroker.shared();
    String topic = TestTopics.unique("round-trip");
    broker.createTopic(topic, 3, Map.of());

    long started = System.nanoTime();
    try (TestProducer producer = new TestProducer(broker.bootstrapServers())) {
      for (int i = 0; i < 1_000; i++) {
        producer.send(topic, "key-" + (i % 17), "value-" + i);
      }
    }
    List<String> values = new ArrayList<>();
    try (KafkaConsumer<String, String> consumer = groupConsumer(broker, "round-trip-group")) {
      consumer.subscribe(List.of(topic));
      await()
          .atMost(WAIT)
          .until(
              () -> {
                for (ConsumerRecord<String, String> record :
                    consumer.poll(Duration.ofMillis(200))) {
                  values.add(record.value());
                }
                return values.size() >= 1_000;
              });
    }
    LOG.infof(
        "1,000 records produced (acked one by one) and consumed in %d ms", millisSince(started));

    assertThat(values)
        .containsExactlyInAnyOrderElementsOf(
            IntStream.range(0, 1_000).mapToObj(i -> "value-" + i).toList());
  }

  @Test
  void createTopicIsIdempotentAndTapReadsFromTheBeginning() {
    KafkaBroker broker = KafkaBroker.shared();
    String topic = TestTopics.unique("tap");
    broker.createTopic(topic, 2, Map.of("cleanup.policy", "delete"));
    broker.createTopic(topic, 2, Map.of("cleanup.policy", "delete"));

    try (TestProducer producer = new TestProducer(broker.bootstrapServers())) {
      producer.send(topic, "a", "first");
      producer.sendRaw(topic, "b", new byte[] {'r', 'a', 'w'});
      try (RecordTap tap = RecordTap.open(broker.bootstrapServers(), topic)) {
        producer.send(topic, "c", "after-open");
        assertThat(tap.awaitCount(3, WAIT))
            .extracting(ConsumerRecord::value)
            .containsExactlyInAnyOrder("first", "raw", "after-open");
      }
    }
  }

  /**
   * One owned broker through its whole life, so the suite starts three brokers here instead of
   * five: acked records survive a graceful restart on the same address, then a SIGKILL, and close
   * deletes the data directory.
   */
  @Test
  void anOwnedBrokerKeepsAckedRecordsAcrossARestartAndAKillAndCloseDeletesItsData() {
    KafkaBroker broker = KafkaBroker.create();
    try {
      broker.start();
      assertThat(broker.dataDir()).isDirectory();
      String bootstrap = broker.bootstrapServers();
      String topic = TestTopics.unique("lifecycle");
      broker.createTopic(topic, 1, Map.of());
      produce(bootstrap, topic, "before-restart-");

      long started = System.nanoTime();
      broker.restart();
      LOG.infof("Owned broker restarted (graceful stop + start) in %d ms", millisSince(started));

      assertThat(broker.isRunning()).isTrue();
      assertThat(broker.bootstrapServers()).isEqualTo(bootstrap);
      assertThat(readAll(bootstrap, topic, 100))
          .containsExactlyElementsOf(values("before-restart-"));

      // Acked records are in the page cache, which outlives the killed process.
      produce(bootstrap, topic, "before-kill-");
      broker.kill();
      assertThat(broker.isRunning()).isFalse();
      started = System.nanoTime();
      broker.start();
      LOG.infof("Owned broker started after SIGKILL in %d ms", millisSince(started));

      List<String> expected = new ArrayList<>(values("before-restart-"));
      expected.addAll(values("before-kill-"));
      assertThat(readAll(broker.bootstrapServers(), topic, 200))
          .containsExactlyElementsOf(expected);
    } finally {
      broker.close();
    }

    assertThat(broker.isRunning()).isFalse();
    assertThat(broker.dataDir()).doesNotExist();
  }

  private static void produce(String bootstrap, String topic, String prefix) {
    try (TestProducer producer = new TestProducer(bootstrap)) {
      values(prefix).forEach(value -> producer.send(topic, "k", value));
    }
  }

  private static List<String> values(String prefix) {
    return IntStream.range(0, 100).mapToObj(i -> prefix + i).toList();
  }

  private static List<String> readAll(String bootstrap, String topic, int count) {
    try (RecordTap tap = RecordTap.open(bootstrap, topic)) {
      return tap.awaitCount(count, WAIT).stream().map(ConsumerRecord::value).toList();
    }
  }

  private static KafkaConsumer<String, String> groupConsumer(KafkaBroker broker, String group) {
    Properties props = new Properties();
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
    props.put(ConsumerConfig.GROUP_ID_CONFIG, TestTopics.unique(group));
    props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    return new KafkaConsumer<>(props);
  }

  private static long millisSince(long nanos) {
    return (System.nanoTime() - nanos) / 1_000_000;
  }
}
