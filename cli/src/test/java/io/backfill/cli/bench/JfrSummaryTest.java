package io.backfill.cli.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import jdk.jfr.Configuration;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordingStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The hot-methods summary of a real recording made in this JVM: CPU burnt in one known method while
 * JFR records with the {@code profile} settings must come out on top, and its allocations among the
 * allocating classes.
 */
class JfrSummaryTest {

  private static final String BURN = JfrSummaryTest.class.getName() + ".burn";

  @TempDir Path dir;

  private static volatile long sink;

  /** Busy work that also allocates: sums of freshly filled long arrays. */
  static long burn(int rounds) {
    long total = 0;
    for (int r = 0; r < rounds; r++) {
      long[] values = new long[4096];
      for (int i = 0; i < values.length; i++) {
        values[i] = (i * 31L + r) ^ (total >>> 3);
        total += values[i] % 7;
      }
    }
    return total;
  }

  @Test
  void theMethodThatBurnsTheCpuIsTheTopFrameAndItsArraysAreAllocated() throws Exception {
    Path jfr = dir.resolve("burn.jfr");
    AtomicLong burnSamples = new AtomicLong();
    try (Recording recording = new Recording(Configuration.getConfiguration("profile"));
        RecordingStream samples = new RecordingStream()) {
      // A second, streamed recording counts the samples of burn as they come: burn until there
      // are enough, however slowly this machine runs it.
      samples.enable("jdk.ExecutionSample").withPeriod(Duration.ofMillis(10));
      samples.onEvent(
          "jdk.ExecutionSample",
          event -> {
            RecordedFrame top = event.getStackTrace().getFrames().get(0);
            if (JfrSummary.methodName(top).equals(BURN)) {
              burnSamples.incrementAndGet();
            }
          });
      samples.startAsync();
      recording.start();
      long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
      while (burnSamples.get() < 30 && System.nanoTime() < deadline) {
        sink += burn(2_000);
      }
      recording.stop();
      recording.dump(jfr);
    }
    assertThat(burnSamples.get())
        .as("samples of burn seen by the stream")
        .isGreaterThanOrEqualTo(30);

    JfrSummary summary = JfrSummary.of(jfr);

    assertThat(summary.samples()).isPositive();
    assertThat(summary.seconds()).isPositive();
    assertThat(summary.topFrames()).isNotEmpty().hasSizeLessThanOrEqualTo(15);
    assertThat(summary.topFrames().get(0).name()).isEqualTo(BURN);
    assertThat(summary.ownInclusive())
        .extracting(JfrSummary.Count::name)
        .contains(
            BURN,
            JfrSummaryTest.class.getName()
                + ".theMethodThatBurnsTheCpuIsTheTopFrameAndItsArraysAreAllocated");
    assertThat(summary.allocatedBytes()).isPositive();
    assertThat(summary.allocationRate()).isPositive();
    assertThat(summary.topAllocations())
        .hasSizeLessThanOrEqualTo(10)
        .extracting(JfrSummary.Count::name)
        .contains("long[]");

    String md = summary.markdown("JFR test, this JVM", java.util.List.of("context line"));
    assertThat(md)
        .startsWith("# JFR test, this JVM")
        .contains("- context line")
        .contains("| 1 | `" + BURN + "` |")
        .contains("`long[]`")
        .contains("MiB/s");
  }

  @Test
  void quarkusGeneratedWrappersAreNotCountedAsOwnMethods() {
    assertThat(JfrSummary.generated("io.backfill.gateway.api.StatusAssembler_ClientProxy.status"))
        .isTrue();
    assertThat(JfrSummary.generated("io.backfill.gateway.api.StatusAssembler_Subclass$0.apply"))
        .isTrue();
    assertThat(
            JfrSummary.generated(
                "io.backfill.gateway.api.BackfillResource$quarkusrestinvoker$status_89.invoke"))
        .isTrue();
    assertThat(
            JfrSummary.generated("io.backfill.fetcher.domain.AttemptPool$$Lambda$1040+0x7.12.run"))
        .isTrue();
    assertThat(JfrSummary.generated("io.backfill.gateway.api.StatusAssembler.status")).isFalse();
  }

  @Test
  void arrayClassNamesAreReadable() {
    assertThat(JfrSummary.className("[J")).isEqualTo("long[]");
    assertThat(JfrSummary.className("[[B")).isEqualTo("byte[][]");
    assertThat(JfrSummary.className("[Ljava.lang.String;")).isEqualTo("java.lang.String[]");
    assertThat(JfrSummary.className("java.lang.String")).isEqualTo("java.lang.String");
  }
}
