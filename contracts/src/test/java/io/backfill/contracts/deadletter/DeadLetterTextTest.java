package io.backfill.contracts.deadletter;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class DeadLetterTextTest {

  @Test
  void shortTextIsKeptAsItIs() {
    assertThat(DeadLetterText.truncate("invalid mailbox")).isEqualTo("invalid mailbox");
    assertThat(DeadLetterText.truncate(null)).isEmpty();
  }

  @Test
  void longTextIsCutToOneKibibyteOnACharacterBoundaryAndMarked() {
    String echoed = "mailbox ".concat("é😀".repeat(200_000));

    String cut = DeadLetterText.truncate(echoed);

    assertThat(cut.getBytes(StandardCharsets.UTF_8).length).isLessThanOrEqualTo(1024);
    assertThat(cut).startsWith("mailbox é😀").endsWith("…[truncated]");
    assertThat(new String(cut.getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8))
        .isEqualTo(cut);
  }
}
