package io.backfill.cli.bench;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SteadyStateTest {

  @Test
  void theMarkComesAfterTenPercentOfTheChunksAndAtLeastTwo() {
    assertThat(SteadyState.startAfterChunks(100_000)).isEqualTo(100);
    assertThat(SteadyState.startAfterChunks(10_050)).isEqualTo(11);
    assertThat(SteadyState.startAfterChunks(500)).isEqualTo(2);
    assertThat(SteadyState.startAfterChunks(300)).isEqualTo(2);
  }

  @Test
  void aLaterMarkIsTheGivenPercentageOfTheChunksRoundedUp() {
    assertThat(SteadyState.startAfterChunks(100_000, 50)).isEqualTo(500);
    assertThat(SteadyState.startAfterChunks(10_050, 50)).isEqualTo(51);
    assertThat(SteadyState.startAfterChunks(20_000, 90)).isEqualTo(180);
    assertThat(SteadyState.startAfterChunks(1_000, 90)).isEqualTo(9);
    assertThat(SteadyState.startAfterChunks(1_000, 1)).isEqualTo(2);
  }

  @Test
  void aRunWithNoChunkAfterTheMarkHasNoSteadyState() {
    assertThat(SteadyState.startAfterChunks(200)).isEqualTo(-1);
    assertThat(SteadyState.startAfterChunks(100)).isEqualTo(-1);
  }
}
