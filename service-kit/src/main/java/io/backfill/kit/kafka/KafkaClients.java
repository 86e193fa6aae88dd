package io.backfill.kit.kafka;

import io.smallrye.common.annotation.Identifier;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Builds every Kafka client a service makes by hand from the same broker configuration as its
 * SmallRye channels: Quarkus's default broker configuration (every {@code kafka.*} property, so
 * {@code bootstrap.servers}, {@code security.protocol}, {@code sasl.*} and {@code ssl.*}), then the
 * client's own settings on top. A client built any other way fails on a secured broker while the
 * channels work.
 */
@Singleton
public class KafkaClients {

  /** The name under which Quarkus publishes the {@code kafka.*} properties as a map. */
  public static final String DEFAULT_BROKER = "default-kafka-broker";

  private final Map<String, Object> broker;

  public KafkaClients(@Identifier(DEFAULT_BROKER) Map<String, Object> broker) {
    this.broker = Map.copyOf(broker);
  }

  /**
   * The one producer idiom: String keys and values, acks=all and idempotent (an acknowledged record
   * is on every in-sync replica, and the producer's own retries neither duplicate nor reorder).
   *
   * <p>The one timeout rule: a send is acknowledged or failed by the producer within {@code
   * ackTimeout}, whether the broker is unknown (metadata, {@code max.block.ms}) or does not answer
   * ({@code delivery.timeout.ms}); one request may use what is left of it after the linger.
   *
   * @param lingerMs 0 when each send is awaited on its own; a few ms when a caller sends a batch
   *     and waits for all of it
   */
  public KafkaProducer<String, String> producer(
      String clientId, Duration ackTimeout, int lingerMs) {
    long timeoutMs = ackTimeout.toMillis();
    if (lingerMs < 0 || timeoutMs < lingerMs + 2L) {
      throw new IllegalArgumentException(
          "a producer's ack timeout ("
              + ackTimeout
              + ") must exceed its linger ("
              + lingerMs
              + " ms)");
    }
    Map<String, Object> own = new HashMap<>();
    own.put(ProducerConfig.CLIENT_ID_CONFIG, clientId);
    own.put(ProducerConfig.ACKS_CONFIG, "all");
    own.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
    own.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, "5");
    own.put(ProducerConfig.LINGER_MS_CONFIG, String.valueOf(lingerMs));
    own.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, String.valueOf(timeoutMs));
    own.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, String.valueOf(timeoutMs));
    own.put(
        ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG,
        String.valueOf(Math.min(30_000, timeoutMs - lingerMs - 1)));
    own.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    own.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    return new KafkaProducer<>(producerConfig(own));
  }

  /**
   * A String consumer with the client's own settings (no group unless they name one: the broker
   * configuration's {@code group.id} is the application's channels' default, not this client's).
   */
  public KafkaConsumer<String, String> consumer(String clientId, Map<String, Object> settings) {
    Map<String, Object> own = new HashMap<>();
    own.put(ConsumerConfig.CLIENT_ID_CONFIG, clientId);
    own.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    own.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    own.putAll(settings);
    Map<String, Object> config = withBroker(ConsumerConfig.configNames(), own);
    if (!settings.containsKey(ConsumerConfig.GROUP_ID_CONFIG)) {
      config.remove(ConsumerConfig.GROUP_ID_CONFIG);
    }
    return new KafkaConsumer<>(config);
  }

  /**
   * An admin client whose calls are each bounded by {@code timeout}; one request may take half of
   * it (at least a second), so a call can retry once on another broker.
   */
  public Admin admin(String clientId, Duration timeout) {
    long timeoutMs = timeout.toMillis();
    Map<String, Object> own = new HashMap<>();
    own.put(AdminClientConfig.CLIENT_ID_CONFIG, clientId);
    own.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, String.valueOf(timeoutMs));
    own.put(
        AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG,
        String.valueOf(Math.min(timeoutMs, Math.max(1000, timeoutMs / 2))));
    return Admin.create(withBroker(AdminClientConfig.configNames(), own));
  }

  private Map<String, Object> producerConfig(Map<String, Object> own) {
    return withBroker(ProducerConfig.configNames(), own);
  }

  /** The broker configuration keys a client of this kind knows, then the client's own settings. */
  private Map<String, Object> withBroker(Set<String> known, Map<String, Object> own) {
    Map<String, Object> config = new HashMap<>();
    broker.forEach(
        (key, value) -> {
          if (known.contains(key)) {
            config.put(key, value);
          }
        });
    config.putAll(own);
    return config;
  }
}
