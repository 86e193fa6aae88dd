package io.backfill.fetcher.messaging;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class DeadLetterOrSkipTest {

  @Test
  void aReasonEchoingMegabytesOfInputIsCutTo1KiBAndKeepsItsType() {
    IllegalStateException huge = new IllegalStateException("bad mailbox " + "m".repeat(2_000_000));

    Throwable shortened = DeadLetterOrSkip.shortened(huge);

    assertThat(shortened.getMessage().getBytes(StandardCharsets.UTF_8).length)
        .isLessThanOrEqualTo(1024);
    assertThat(shortened.getMessage()).startsWith("java.lang.IllegalStateException: bad mailbox");
    assertThat(shortened.getCause()).isNull();
  }

  @Test
  void aShortReasonIsDeadLetteredAsItIs() {
    IllegalArgumentException reason = new IllegalArgumentException("MALFORMED_JSON");

    assertThat(DeadLetterOrSkip.shortened(reason)).isSameAs(reason);
  }
}
