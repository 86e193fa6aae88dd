package io.backfill.simulator.domain;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.junit.jupiter.api.Test;

class SeededRandomTest {

  @Test
  void drawsWhatJavaUtilRandomDrawsFromTheSameSeed() {
    Random reference = new Random(7);
    SeededRandom random = new SeededRandom(7);
    for (int i = 0; i < 1000; i++) {
      assertThat(random.nextInt(97)).isEqualTo(reference.nextInt(97));
      assertThat(random.nextDouble()).isEqualTo(reference.nextDouble());
      assertThat(random.nextBoolean()).isEqualTo(reference.nextBoolean());
      byte[] a = new byte[13];
      byte[] b = new byte[13];
      random.nextBytes(a);
      reference.nextBytes(b);
      assertThat(a).isEqualTo(b);
    }
  }

  @Test
  void restoringAStateRepeatsTheDrawsThatFollowedIt() {
    SeededRandom random = new SeededRandom(42);
    random.nextInt(10);
    long saved = random.state();
    int[] first = {random.nextInt(1000), random.nextInt(1000), random.nextInt()};

    SeededRandom replay = new SeededRandom(0);
    replay.restore(saved);

    assertThat(new int[] {replay.nextInt(1000), replay.nextInt(1000), replay.nextInt()})
        .isEqualTo(first);
  }
}
