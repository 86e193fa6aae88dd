package io.backfill.contracts.rules;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.backfill.contracts.event.BackfillRequested;
import io.backfill.contracts.event.PauseJob;
import io.backfill.contracts.id.JobId;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class TenantIdInEventsTest {

  private static final Instant FROM = Instant.parse("2024-01-01T00:00:00Z");
  private static final JobId JOB = JobId.derive("contoso", "r-1");

  @Test
  void anEventWithAMalformedTenantIdCannotBeBuiltAndTheReasonQuotesIt() {
    assertThatThrownBy(
            () -> BackfillRequested.of("Contoso", "r-1", "ana@contoso.com", FROM, FROM, null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("tenantId must be 1 to 63 lower-case")
        .hasMessageContaining("'Contoso'");
    assertThatThrownBy(() -> PauseJob.of("a/b", JOB, null))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void aLongMalformedTenantIdIsQuotedShortened() {
    String huge = "X".repeat(10_000);
    assertThatThrownBy(() -> PauseJob.of(huge, JOB, null))
        .hasMessageEndingWith("...'")
        .satisfies(e -> assertThat(e.getMessage()).hasSizeLessThan(200));
  }

  @Test
  void aWellFormedTenantIdIsKept() {
    assertThat(PauseJob.of("contoso-eu", JOB, null).tenantId()).isEqualTo("contoso-eu");
  }
}
