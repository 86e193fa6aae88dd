package io.backfill.cli.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class TargetTest {

  @Test
  void eachKindOfTargetIsMetOnlyOnItsSideOfTheThreshold() {
    assertThat(Target.atLeast(0.9).met(0.9)).isTrue();
    assertThat(Target.atLeast(0.9).met(0.89)).isFalse();
    assertThat(Target.below(1).met(0.99)).isTrue();
    assertThat(Target.below(1).met(1)).isFalse();
    assertThat(Target.atMost(31).met(31)).isTrue();
    assertThat(Target.atMost(31).met(31.1)).isFalse();
    assertThat(Target.equalTo(0).met(0)).isTrue();
    assertThat(Target.equalTo(0).met(1)).isFalse();
  }

  @Test
  void targetsPrintWithTheirComparison() {
    assertThat(Target.atLeast(2000)).hasToString("≥ 2,000");
    assertThat(Target.atLeast(0.9)).hasToString("≥ 0.90");
    assertThat(Target.below(1)).hasToString("< 1");
    assertThat(Target.atMost(31)).hasToString("≤ 31");
    assertThat(Target.atMost(31.5)).hasToString("≤ 31.5");
    assertThat(Target.equalTo(0)).hasToString("= 0");
  }

  @Test
  void aFigureIsJudgedOnItsMedianAndSaysWhenNothingWasMeasured() {
    Target atLeast = Target.atLeast(2000);

    assertThat(
            new Figure("P2", "msg/s", "msg/s", List.of(1500.0, 2100.0, 2200.0), 3, atLeast)
                .verdict())
        .isEqualTo("met");
    assertThat(
            new Figure("P2", "msg/s", "msg/s", List.of(1500.0, 1900.0, 2200.0), 3, atLeast)
                .verdict())
        .isEqualTo("missed");
    assertThat(new Figure("P2", "msg/s", "msg/s", List.of(), 3, atLeast).verdict())
        .isEqualTo("not measured");
    assertThat(new Figure("P2b", "msg/s", "msg/s", List.of(10.0), 1, null).verdict())
        .isEqualTo("-");
  }
}
