package io.backfill.contracts.rules;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class MailboxesTest {

  @Test
  void anAddressOrAGraphUserIdNamesAMailbox() {
    assertThat(Mailboxes.problemWith("ana@contoso.com")).isEmpty();
    assertThat(Mailboxes.problemWith("o'brien+backfill@mail.contoso.co.uk")).isEmpty();
    assertThat(Mailboxes.problemWith("5f1c2a4e-9b1d-4c3a-8e2f-0a1b2c3d4e5f")).isEmpty();
    assertThat(Mailboxes.isUserId("5F1C2A4E-9B1D-4C3A-8E2F-0A1B2C3D4E5F")).isTrue();
  }

  @Test
  void aBareNameAnAddressWithoutDomainOrSpacesIsNoMailbox() {
    assertThat(Mailboxes.problemWith("bob")).get().asString().contains("neither");
    assertThat(Mailboxes.problemWith("bob@localhost")).isPresent();
    assertThat(Mailboxes.problemWith("bob smith@contoso.com")).isPresent();
    assertThat(Mailboxes.problemWith(" ")).get().asString().contains("required");
    assertThat(Mailboxes.problemWith(null)).isPresent();
  }

  @Test
  void anAddressLongerThanTheSmtpLimitIsRefusedWithItsLength() {
    String longAddress = "a".repeat(250) + "@c.io";
    assertThat(Mailboxes.problemWith(longAddress))
        .get()
        .asString()
        .contains(longAddress.length() + " characters")
        .contains("254");
  }
}
