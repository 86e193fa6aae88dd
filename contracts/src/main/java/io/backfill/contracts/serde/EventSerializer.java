package io.backfill.contracts.serde;

import io.backfill.contracts.event.Event;
import org.apache.kafka.common.serialization.Serializer;

/** Kafka serializer for any Backfill event (plain kafka-clients and SmallRye channels alike). */
public class EventSerializer implements Serializer<Event> {

  @Override
  public byte[] serialize(String topic, Event event) {
    return event == null ? null : EventJson.toBytes(event);
  }
}
