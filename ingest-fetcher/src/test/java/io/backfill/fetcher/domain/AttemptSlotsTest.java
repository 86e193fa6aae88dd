package io.backfill.fetcher.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class AttemptSlotsTest {

  @Test
  void aTenantAloneMayTakeEverySlotButNoMore() {
    AttemptSlots slots = new AttemptSlots(4, 2);
    for (int i = 0; i < 4; i++) {
      assertThat(slots.take("a")).isTrue();
    }
    assertThat(slots.take("a")).isFalse();
    assertThat(slots.hasFree()).isFalse();
    assertThat(slots.inUse("a")).isEqualTo(4);
  }

  @Test
  void aTenantHoldingItsShareIsPassedOverWhileOthersAreNot() {
    AttemptSlots slots = new AttemptSlots(4, 2);
    slots.take("a");
    assertThat(slots.atShare()).isEmpty();
    slots.take("a");
    slots.take("b");
    assertThat(slots.atShare()).containsExactly("a");
    slots.release("a");
    assertThat(slots.atShare()).isEmpty();
    assertThat(slots.inUse()).isEqualTo(2);
  }

  @Test
  void releasingASlotATenantDoesNotHoldIsRefused() {
    AttemptSlots slots = new AttemptSlots(2, 1);
    assertThatThrownBy(() -> slots.release("a")).isInstanceOf(IllegalStateException.class);
  }
}
