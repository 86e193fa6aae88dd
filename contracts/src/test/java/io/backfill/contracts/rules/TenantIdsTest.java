package io.backfill.contracts.rules;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class TenantIdsTest {

  @Test
  void lowerCaseLettersDigitsAndHyphensUpTo63Characters() {
    assertThat(TenantIds.isValid("contoso")).isTrue();
    assertThat(TenantIds.isValid("t-1")).isTrue();
    assertThat(TenantIds.isValid("a".repeat(63))).isTrue();
  }

  @Test
  void anythingElseIsNoTenantId() {
    assertThat(TenantIds.isValid("a".repeat(64))).isFalse();
    assertThat(TenantIds.isValid("Contoso")).isFalse();
    assertThat(TenantIds.isValid("-contoso")).isFalse();
    assertThat(TenantIds.isValid("con_toso")).isFalse();
    assertThat(TenantIds.isValid("contoso/other")).isFalse();
    assertThat(TenantIds.isValid("")).isFalse();
    assertThat(TenantIds.isValid(null)).isFalse();
  }
}
