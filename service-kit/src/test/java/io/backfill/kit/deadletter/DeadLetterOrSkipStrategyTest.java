package io.backfill.kit.deadletter;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class DeadLetterOrSkipStrategyTest {

  @Test
  void aReasonEchoingMegabytesOfInputIsCutTo1KiBAndKeepsItsType() {
    IllegalStateException huge = new IllegalStateException("bad mailbox " + "m".repeat(2_000_000));

    Throwable cut = DeadLetterOrSkipStrategy.truncated(huge);

    assertThat(cut.getMessage().getBytes(StandardCharsets.UTF_8).length).isLessThanOrEqualTo(1024);
    assertThat(cut.getMessage()).startsWith("java.lang.IllegalStateException: bad mailbox");
    assertThat(cut.getCause()).isNull();
  }

  @Test
  void aLongCauseIsCutTooAndNamesItsType() {
    RuntimeException reason =
        new RuntimeException("decoding failed", new IllegalArgumentException("x".repeat(5_000)));

    Throwable cut = DeadLetterOrSkipStrategy.truncated(reason);

    assertThat(cut.getMessage()).startsWith("java.lang.RuntimeException: decoding failed");
    assertThat(cut.getCause().getMessage())
        .startsWith("java.lang.IllegalArgumentException")
        .hasSizeLessThanOrEqualTo(1024);
  }

  @Test
  void aShortReasonIsDeadLetteredAsItIs() {
    IllegalArgumentException reason = new IllegalArgumentException("MALFORMED_JSON");

    assertThat(DeadLetterOrSkipStrategy.truncated(reason)).isSameAs(reason);
  }

  @Test
  void recordTextInALogLineCannotStartANewLine() {
    assertThat(DeadLetterOrSkipStrategy.logSafe("key\nFAKE LOG LINE\r\u2028"))
        .isEqualTo("key\\u000aFAKE LOG LINE\\u000d\\u2028");
  }
}
