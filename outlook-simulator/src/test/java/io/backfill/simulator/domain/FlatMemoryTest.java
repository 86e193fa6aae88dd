package io.backfill.simulator.domain;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The simulator's memory does not grow with the mail: a JVM whose heap is 64 MB builds a registry
 * with a 200,000-message mailbox (whose bodies alone are hundreds of megabytes), pages through a
 * window of it and looks messages up, and exits normally. Kept whole, the mail would end it with an
 * OutOfMemoryError long before. (A million messages fit the same way; docs/performance.md has the
 * measured figures. This size keeps the build short.)
 */
class FlatMemoryTest {

  @Test
  void aTwoHundredThousandMessageMailboxFitsInA64MegabyteHeap()
      throws IOException, InterruptedException {
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    Process child =
        new ProcessBuilder(
                List.of(
                    java.toString(),
                    "-Xmx64m",
                    "-XX:+UseSerialGC",
                    "-XX:TieredStopAtLevel=1",
                    "-cp",
                    System.getProperty("java.class.path"),
                    LargeMailboxProbe.class.getName()))
            .redirectErrorStream(true)
            .start();
    String output = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    int exit = child.waitFor();

    assertThat(exit).as("child JVM output:%n%s", output).isZero();
    assertThat(output).contains("listed ").doesNotContain("OutOfMemoryError");
  }
}
