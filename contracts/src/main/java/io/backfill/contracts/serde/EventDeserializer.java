package io.backfill.contracts.serde;

import io.backfill.contracts.event.Event;
import java.util.Map;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * Kafka deserializer for one topic's events. Configure the event interface with {@link
 * #EVENT_TYPE_CONFIG} (e.g. {@code io.backfill.contracts.event.RunEvent}) or pass it to the
 * constructor. A record that is not a valid event raises a {@link SerializationException} whose
 * cause is the {@link EventDecodingException}, so kafka-clients reports the partition and offset.
 */
public class EventDeserializer<T extends Event> implements Deserializer<T> {

  public static final String EVENT_TYPE_CONFIG = "backfill.event.type";

  private Class<T> eventType;

  public EventDeserializer() {}

  public EventDeserializer(Class<T> eventType) {
    this.eventType = eventType;
  }

  @Override
  @SuppressWarnings("unchecked")
  public void configure(Map<String, ?> configs, boolean isKey) {
    Object configured = configs.get(EVENT_TYPE_CONFIG);
    if (configured == null) {
      if (eventType == null) {
        throw new IllegalStateException(EVENT_TYPE_CONFIG + " is required");
      }
      return;
    }
    try {
      Class<?> type =
          configured instanceof Class<?> c ? c : Class.forName(configured.toString().trim());
      if (!Event.class.isAssignableFrom(type)) {
        throw new IllegalStateException(type.getName() + " is not a Backfill event type");
      }
      eventType = (Class<T>) type;
    } catch (ClassNotFoundException e) {
      throw new IllegalStateException("unknown " + EVENT_TYPE_CONFIG + ": " + configured, e);
    }
  }

  @Override
  public T deserialize(String topic, byte[] data) {
    try {
      return EventJson.fromBytes(data, eventType);
    } catch (EventDecodingException e) {
      throw new SerializationException("record on " + topic + " is not a valid event", e);
    }
  }
}
