package io.backfill.monitor;

import io.backfill.contracts.event.RunControlEvent;
import io.backfill.contracts.id.RunId;
import io.backfill.contracts.serde.EventJson;
import io.backfill.contracts.topic.Topics;
import io.backfill.testkit.KafkaBroker;
import io.backfill.testkit.RecordTap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** What the monitor published on run.control, decoded, per run. */
final class ControlTap implements AutoCloseable {

  private final RecordTap tap;

  private ControlTap(RecordTap tap) {
    this.tap = tap;
  }

  static ControlTap open() {
    return new ControlTap(
        RecordTap.open(KafkaBroker.shared().bootstrapServers(), Topics.RUN_CONTROL));
  }

  /** Every record of the run, duplicates (same eventId) included, in the order read. */
  List<RunControlEvent> all(RunId run) {
    return tap.records().stream()
        .filter(r -> run.value().equals(r.key()))
        .map(r -> EventJson.fromJson(r.value(), RunControlEvent.class))
        .toList();
  }

  /** The run's events as an eventId-deduping consumer sees them. */
  List<RunControlEvent> effects(RunId run) {
    Map<UUID, RunControlEvent> byId = new LinkedHashMap<>();
    all(run).forEach(e -> byId.putIfAbsent(e.eventId(), e));
    return List.copyOf(byId.values());
  }

  <T extends RunControlEvent> List<T> effects(RunId run, Class<T> type) {
    return effects(run).stream().filter(type::isInstance).map(type::cast).toList();
  }

  @Override
  public void close() {
    tap.close();
  }
}
