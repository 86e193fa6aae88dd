package io.backfill.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.SaslConfigs;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class KafkaBrokerSaslTest {

  private static final Duration WAIT = Duration.ofSeconds(60);

  private static KafkaBroker broker;

  @BeforeAll
  static void startBrokerWithSasl() {
    broker = KafkaBroker.createWithSasl();
    broker.start();
  }

  @AfterAll
  static void closeBroker() {
    if (broker != null) {
      broker.close();
    }
  }

  @Test
  void clientsWithTheSaslSettingsProduceAndConsumeOnTheSaslListener() throws Exception {
    String topic = TestTopics.unique("sasl");
    broker.createTopic(topic, 1, Map.of());

    try (KafkaProducer<String, String> producer =
        producer(saslSettings(KafkaBroker.SASL_PASSWORD))) {
      producer.send(new ProducerRecord<>(topic, "k", "over-sasl")).get(30, TimeUnit.SECONDS);
    }
    List<String> values = new ArrayList<>();
    try (KafkaConsumer<String, String> consumer =
        consumer(saslSettings(KafkaBroker.SASL_PASSWORD))) {
      consumer.subscribe(List.of(topic));
      await()
          .atMost(WAIT)
          .until(
              () -> {
                for (ConsumerRecord<String, String> record :
                    consumer.poll(Duration.ofMillis(200))) {
                  values.add(record.value());
                }
                return !values.isEmpty();
              });
    }

    assertThat(values).containsExactly("over-sasl");
  }

  @Test
  void theQuarkusSettingsNameTheSaslListenerAndTheFixedUser() {
    assertThat(broker.saslClientProperties())
        .containsEntry("kafka.bootstrap.servers", broker.saslBootstrapServers())
        .containsEntry("kafka.security.protocol", "SASL_PLAINTEXT")
        .containsEntry("kafka.sasl.mechanism", "PLAIN")
        .hasEntrySatisfying(
            "kafka.sasl.jaas.config",
            jaas ->
                assertThat(jaas)
                    .contains(
                        "username=\"" + KafkaBroker.SASL_USER + "\"",
                        "password=\"" + KafkaBroker.SASL_PASSWORD + "\""));
    assertThat(broker.saslBootstrapServers()).isNotEqualTo(broker.bootstrapServers());
  }

  @Test
  void aProducerWithAWrongPasswordIsRefused() {
    String topic = TestTopics.unique("sasl-refused");
    broker.createTopic(topic, 1, Map.of());

    try (KafkaProducer<String, String> producer = producer(saslSettings("not-the-password"))) {
      assertThatThrownBy(
              () -> producer.send(new ProducerRecord<>(topic, "k", "v")).get(30, TimeUnit.SECONDS))
          .hasRootCauseInstanceOf(SaslAuthenticationException.class);
    }
  }

  @Test
  void aProducerWithoutCredentialsGetsNoMetadataFromTheSaslListener() {
    String topic = TestTopics.unique("sasl-anonymous");
    broker.createTopic(topic, 1, Map.of());
    Properties plaintext = new Properties();
    plaintext.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, broker.saslBootstrapServers());
    plaintext.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "3000");

    try (KafkaProducer<String, String> producer = producer(plaintext)) {
      assertThatThrownBy(
              () -> producer.send(new ProducerRecord<>(topic, "k", "v")).get(30, TimeUnit.SECONDS))
          .hasRootCauseInstanceOf(org.apache.kafka.common.errors.TimeoutException.class);
    }
  }

  @Test
  void thePlaintextListenerStillServesClientsWithoutCredentials() {
    String topic = TestTopics.unique("sasl-plaintext");
    broker.createTopic(topic, 1, Map.of());

    try (TestProducer producer = new TestProducer(broker.bootstrapServers())) {
      assertThat(producer.send(topic, "k", "plain").offset()).isZero();
    }
  }

  private static Properties saslSettings(String password) {
    Properties props = new Properties();
    props.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, broker.saslBootstrapServers());
    props.put(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, "SASL_PLAINTEXT");
    props.put(SaslConfigs.SASL_MECHANISM, "PLAIN");
    props.put(
        SaslConfigs.SASL_JAAS_CONFIG,
        "org.apache.kafka.common.security.plain.PlainLoginModule required username=\""
            + KafkaBroker.SASL_USER
            + "\" password=\""
            + password
            + "\";");
    props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "10000");
    return props;
  }

  private static KafkaProducer<String, String> producer(Properties settings) {
    Properties props = new Properties();
    props.putAll(settings);
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    props.put(ProducerConfig.LINGER_MS_CONFIG, "0");
    props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    return new KafkaProducer<>(props);
  }

  private static KafkaConsumer<String, String> consumer(Properties settings) {
    Properties props = new Properties();
    props.putAll(settings);
    props.remove(ProducerConfig.MAX_BLOCK_MS_CONFIG);
    props.put(ConsumerConfig.GROUP_ID_CONFIG, TestTopics.unique("sasl-group"));
    props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    return new KafkaConsumer<>(props);
  }
}
