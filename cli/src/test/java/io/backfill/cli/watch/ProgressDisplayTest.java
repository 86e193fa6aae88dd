package io.backfill.cli.watch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.backfill.cli.format.SampleStatus;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class ProgressDisplayTest {

  @Test
  void plainOutputIsALineWithTheBarRateFetchedChunksAndEntities() {
    StringWriter text = new StringWriter();
    try (ProgressDisplay display =
        ProgressDisplay.plain(new PrintWriter(text, true), Duration.ofMillis(100))) {
      display.update("running", SampleStatus.running().path("progress"));
      display.counts(SampleStatus.running().path("counts"));
      display.println("timeout: chunk 3 attempt 1");
      // The bar is drawn by the library's own thread: wait for a line with the counts.
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> text.toString().contains("entities 3,400"));
    }

    String out = text.toString();
    assertThat(out).containsPattern("(?m)^\\d\\d:\\d\\d:\\d\\d timeout: chunk 3 attempt 1$");
    assertThat(out)
        .containsPattern(
            "(?m)extracted +45% \\[=+>? *\\] +900/2000 msg .*\\| fetched 2,000\\+ \\| chunks 9/20"
                + " \\| entities 3,400$");
    assertThat(out).doesNotContain("\r");
  }

  @Test
  void aStatusOtherThanRunningEndsTheLine() {
    StringWriter text = new StringWriter();
    try (ProgressDisplay display =
        ProgressDisplay.plain(new PrintWriter(text, true), Duration.ofMillis(100))) {
      display.update("paused", SampleStatus.running().path("progress"));
      await().atMost(Duration.ofSeconds(10)).until(() -> text.toString().contains("| paused"));
    }

    assertThat(text.toString()).containsPattern("(?m)\\| chunks 9/20 \\| entities 0 \\| paused$");
  }
}
