package io.backfill.fetcher.domain;

import static org.assertj.core.api.Assertions.assertThat;

import io.backfill.contracts.id.JobId;
import io.backfill.fetcher.domain.AttemptSlots.Admission;
import io.backfill.fetcher.domain.AttemptSlots.Waiting;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class AttemptSlotsTest {

  @Test
  void aTenantAloneUsesEverySlotAndTheRestWait() {
    AttemptSlots slots = new AttemptSlots(4, 2, 100);

    for (int i = 0; i < 4; i++) {
      assertThat(slots.admit(job("a"))).isEqualTo(Admission.START);
    }

    assertThat(slots.admit(job("a"))).isEqualTo(Admission.WAITING);
    assertThat(slots.inUse("a")).isEqualTo(4);
  }

  @Test
  void aFreedSlotGoesToTheWaitingTenantBelowItsShare() {
    AttemptSlots slots = new AttemptSlots(4, 2, 100);
    for (int i = 0; i < 4; i++) {
      slots.admit(job("a"));
    }
    Waiting a5 = job("a");
    Waiting b1 = job("b");
    slots.admit(a5);
    slots.admit(b1);

    assertThat(slots.release("a")).containsExactly(b1);
    // The busy tenant is back to its turn once nobody else waits.
    assertThat(slots.release("a")).containsExactly(a5);
  }

  @Test
  void waitingTenantsAreServedRoundRobin() {
    AttemptSlots slots = new AttemptSlots(2, 1, 100);
    slots.admit(job("a"));
    slots.admit(job("b"));
    Waiting a2 = job("a");
    Waiting a3 = job("a");
    Waiting b2 = job("b");
    Waiting c1 = job("c");
    slots.admit(a2);
    slots.admit(a3);
    slots.admit(b2);
    slots.admit(c1);

    List<Waiting> first = slots.release("a");
    List<Waiting> second = slots.release("b");
    List<Waiting> third = slots.release(first.get(0).tenantId());

    assertThat(first).containsExactly(a2);
    assertThat(second).containsExactly(b2);
    assertThat(third).containsExactly(c1);
  }

  @Test
  void theQueueIsBoundedAndAWithdrawnJobNeverStarts() {
    AttemptSlots slots = new AttemptSlots(1, 1, 1);
    slots.admit(job("a"));
    Waiting waiting = job("b");

    assertThat(slots.admit(waiting)).isEqualTo(Admission.WAITING);
    assertThat(slots.admit(waiting)).isEqualTo(Admission.ALREADY_WAITING);
    assertThat(slots.admit(job("c"))).isEqualTo(Admission.QUEUE_FULL);
    assertThat(slots.withdraw(waiting.jobId())).isTrue();
    assertThat(slots.release("a")).isEmpty();
    assertThat(slots.waitingCount()).isZero();
  }

  private static Waiting job(String tenant) {
    return new Waiting(
        JobId.derive(tenant, UUID.randomUUID().toString()), tenant, FetchRunner.NEW, "test");
  }
}
