package io.backfill.fetcher.graph;

import static org.assertj.core.api.Assertions.assertThat;

import io.backfill.fetcher.graph.GraphMessageMapper.BodyText;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The body cut: at most the limit in UTF-8, never inside a character, flagged when cut. */
class BodyTextTest {

  @Test
  void aBodyOfExactlyTheLimitIsKeptWhole() {
    String body = "a".repeat(10_240);

    BodyText text = BodyText.of(body, 10_240);

    assertThat(text.truncated()).isFalse();
    assertThat(text.text()).isSameAs(body);
  }

  @Test
  void oneByteOverTheLimitIsCutToTheLimit() {
    BodyText text = BodyText.of("a".repeat(10_241), 10_240);

    assertThat(text.truncated()).isTrue();
    assertThat(text.text()).isEqualTo("a".repeat(10_240));
  }

  @Test
  void aTwoByteCharacterAcrossTheLimitIsLeftOut() {
    BodyText text = BodyText.of("é".repeat(6_000), 10_239);

    assertThat(text.truncated()).isTrue();
    assertThat(utf8(text.text())).isEqualTo(10_238);
  }

  @Test
  void aThreeByteCharacterAcrossTheLimitIsLeftOut() {
    BodyText text = BodyText.of("a" + "€".repeat(4_000), 10_240);

    assertThat(text.truncated()).isTrue();
    assertThat(text.text()).isEqualTo("a" + "€".repeat(3_413));
    assertThat(utf8(text.text())).isEqualTo(10_240);
  }

  @Test
  void aSurrogatePairIsNeverSplit() {
    String emoji = "\uD83D\uDE00";
    // 2 + 4 × 2,559 = 10,238 bytes fit; the next pair (4 bytes) would reach 10,242.
    BodyText text = BodyText.of("ab" + emoji.repeat(3_000), 10_240);

    assertThat(text.truncated()).isTrue();
    assertThat(text.text()).isEqualTo("ab" + emoji.repeat(2_559));
    assertThat(Character.isHighSurrogate(text.text().charAt(text.text().length() - 1))).isFalse();
  }

  @Test
  void aBodyOfPairsExactlyAtTheLimitIsKeptWhole() {
    String body = "\uD83D\uDE00".repeat(2_560);

    BodyText text = BodyText.of(body, 10_240);

    assertThat(text.truncated()).isFalse();
    assertThat(text.text()).isSameAs(body);
  }

  @Test
  void anUnpairedSurrogateCountsThreeBytes() {
    // A lone high surrogate, then ASCII: 3 + 10,237 bytes fit exactly, one more does not.
    String body = "\uD83D" + "a".repeat(10_238);

    BodyText text = BodyText.of(body, 10_240);

    assertThat(text.truncated()).isTrue();
    assertThat(text.text()).isEqualTo("\uD83D" + "a".repeat(10_237));
  }

  @Test
  void aShortBodyIsKeptWhole() {
    assertThat(BodyText.of("short", 10_240)).isEqualTo(new BodyText("short", false));
    assertThat(BodyText.of("", 10_240)).isEqualTo(new BodyText("", false));
  }

  @Test
  void mixedTextIsCutAtTheLastWholeCharacterWithinTheLimit() {
    String[] pieces = {"a", "é", "€", "\uD83D\uDE00", " ", "\n", "ß", "中"};
    Random random = new Random(42);
    for (int round = 0; round < 200; round++) {
      StringBuilder body = new StringBuilder();
      int length = 1 + random.nextInt(6_000);
      while (body.length() < length) {
        body.append(pieces[random.nextInt(pieces.length)]);
      }
      int limit = 1 + random.nextInt(12_000);

      BodyText text = BodyText.of(body.toString(), limit);

      int whole = utf8(body.toString());
      assertThat(text.truncated()).isEqualTo(whole > limit);
      assertThat(body.toString()).startsWith(text.text());
      assertThat(utf8(text.text())).isLessThanOrEqualTo(limit);
      if (text.truncated()) {
        int next = body.codePointAt(text.text().length());
        assertThat(utf8(text.text()) + utf8(Character.toString(next))).isGreaterThan(limit);
      }
    }
  }

  private static int utf8(String text) {
    return text.getBytes(StandardCharsets.UTF_8).length;
  }
}
