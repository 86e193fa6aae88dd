package io.backfill.cli.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

class ServerSentEventsTest {

  @Test
  void joinsDataLinesDispatchesOnABlankLineAndSkipsCommentsAndOtherFields() {
    List<String> events = new ArrayList<>();

    ServerSentEvents.forEachData(
        Stream.of(
            ": keep-alive",
            "event: progress",
            "id: 7",
            "data:{\"a\":1}",
            "",
            "data: first",
            "data:second",
            "",
            "",
            "data: cut off without its blank line"),
        events::add);

    assertThat(events).containsExactly("{\"a\":1}", "first\nsecond");
  }
}
