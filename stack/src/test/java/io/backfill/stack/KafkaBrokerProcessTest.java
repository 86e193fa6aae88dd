package io.backfill.stack;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KafkaBrokerProcessTest {

  @TempDir Path dir;

  @Test
  void aKilledBrokerComesBackOnTheSameAddressWithItsRecords() throws Exception {
    KafkaBrokerProcess broker =
        new KafkaBrokerProcess(
            dir.resolve("kafka"), dir.resolve("logs/kafka.log"), Duration.ofMinutes(2));
    try {
      broker.start();
      String address = broker.bootstrapServers();
      try (Admin admin = Admin.create(Map.of("bootstrap.servers", address))) {
        admin.createTopics(List.of(new NewTopic("kept", 1, (short) 1))).all().get();
      }
      try (KafkaProducer<String, String> producer = producer(address)) {
        producer.send(new ProducerRecord<>("kept", "k", "before the crash")).get();
      }
      long firstPid = broker.pid();

      broker.kill();
      assertThat(broker.isRunning()).isFalse();
      broker.start();

      assertThat(broker.bootstrapServers()).isEqualTo(address);
      assertThat(broker.pid()).isNotEqualTo(firstPid);
      assertThat(readAll(address, "kept")).containsExactly("before the crash");
      assertThat(dir.resolve("logs/kafka.log")).isNotEmptyFile();
    } finally {
      broker.stop();
    }
  }

  private static KafkaProducer<String, String> producer(String address) {
    Properties p = new Properties();
    p.put("bootstrap.servers", address);
    p.put("acks", "all");
    p.put("delivery.timeout.ms", "60000");
    return new KafkaProducer<>(p, new StringSerializer(), new StringSerializer());
  }

  private static List<String> readAll(String address, String topic) {
    Properties p = new Properties();
    p.put("bootstrap.servers", address);
    try (KafkaConsumer<String, String> consumer =
        new KafkaConsumer<>(p, new StringDeserializer(), new StringDeserializer())) {
      TopicPartition partition = new TopicPartition(topic, 0);
      consumer.assign(List.of(partition));
      consumer.seekToBeginning(List.of(partition));
      List<String> values = new ArrayList<>();
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (values.isEmpty() && System.nanoTime() < deadline) {
        for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofSeconds(1))) {
          values.add(record.value());
        }
      }
      return values;
    }
  }
}
