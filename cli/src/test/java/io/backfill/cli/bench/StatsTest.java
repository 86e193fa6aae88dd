package io.backfill.cli.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class StatsTest {

  @Test
  void medianOfThreeIsTheMiddleValueWhateverTheOrder() {
    Stats stats = Stats.of(List.of(310.0, 250.0, 298.5));

    assertThat(stats).isEqualTo(new Stats(298.5, 250.0, 310.0, 3));
  }

  @Test
  void medianOfAnEvenCountIsTheMeanOfTheTwoMiddleValues() {
    assertThat(Stats.of(List.of(4.0, 1.0, 3.0, 10.0)).median()).isEqualTo(3.5);
    assertThat(Stats.of(List.of(2.0, 1.0))).isEqualTo(new Stats(1.5, 1.0, 2.0, 2));
  }

  @Test
  void oneValueIsItsOwnMedianMinAndMax() {
    assertThat(Stats.of(List.of(7.0))).isEqualTo(new Stats(7.0, 7.0, 7.0, 1));
  }

  @Test
  void noValuesHaveNoStatistics() {
    assertThatThrownBy(() -> Stats.of(List.of())).isInstanceOf(IllegalArgumentException.class);
  }
}
