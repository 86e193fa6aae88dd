package io.backfill.worker.support;

import io.backfill.contracts.event.ChunkExtracted;
import io.backfill.contracts.event.ExtractionResultEvent;
import io.backfill.contracts.event.RunEvent;
import io.backfill.contracts.serde.EventJson;
import io.backfill.testkit.RecordTap;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/** Reads what the worker said about a run from taps on run.events and extraction.results. */
public final class Runs {

  private Runs() {}

  /** The run's events, in the order of the partition, with their broker records. */
  public static List<ConsumerRecord<String, String>> recordsOf(RecordTap runEvents, String runId) {
    return runEvents.records().stream().filter(r -> runId.equals(r.key())).toList();
  }

  public static List<RunEvent> eventsOf(RecordTap runEvents, String runId) {
    return recordsOf(runEvents, runId).stream()
        .map(r -> EventJson.fromJson(r.value(), RunEvent.class))
        .toList();
  }

  public static <T extends RunEvent> List<T> eventsOf(
      RecordTap runEvents, String runId, Class<T> type) {
    return eventsOf(runEvents, runId).stream().filter(type::isInstance).map(type::cast).toList();
  }

  public static List<ChunkExtracted> resultsOf(RecordTap results, String runId) {
    return results.values().stream()
        .map(v -> EventJson.fromJson(v, ExtractionResultEvent.class))
        .filter(ChunkExtracted.class::isInstance)
        .map(ChunkExtracted.class::cast)
        .filter(e -> e.runId().value().equals(runId))
        .toList();
  }
}
