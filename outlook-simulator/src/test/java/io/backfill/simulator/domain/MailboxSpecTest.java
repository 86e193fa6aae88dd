package io.backfill.simulator.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class MailboxSpecTest {

  @Test
  void listNamesAddressSizeAndOptionalSeed() {
    assertThat(
            MailboxSpec.parseList("Alice@contoso.com=5000;seed=7, bob@fabrikam.com=20;tenant=t2"))
        .containsExactly(
            new MailboxSpec("alice@contoso.com", 5000, 7),
            new MailboxSpec("bob@fabrikam.com", 20, 1, "t2"));
  }

  @Test
  void malformedSpecsAreRejected() {
    assertThatThrownBy(() -> MailboxSpec.parseList("alice@contoso.com"))
        .hasMessageContaining("address=size");
    assertThatThrownBy(() -> MailboxSpec.parseList("alice@contoso.com=5;colour=red"))
        .hasMessageContaining("colour");
    assertThatThrownBy(() -> MailboxSpec.parseList("alice=5"))
        .hasMessageContaining("email address");
  }
}
