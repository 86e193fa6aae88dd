package io.backfill.simulator.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class FaultRuleTest {

  @Test
  void startUpSyntaxNamesTargetKindAndOptions() {
    FaultRule rule =
        FaultRule.parse(
            "Alice@Contoso.com:unavailable;probability=0.1;times=5;latency=250ms;jitter=1s;retry-after=4");

    assertThat(rule.target()).isEqualTo("alice@contoso.com");
    assertThat(rule.kind()).isEqualTo(FaultKind.UNAVAILABLE);
    assertThat(rule.probability()).isEqualTo(0.1);
    assertThat(rule.times()).isEqualTo(5);
    assertThat(rule.latency()).isEqualTo(Duration.ofMillis(250));
    assertThat(rule.jitter()).isEqualTo(Duration.ofSeconds(1));
    assertThat(rule.retryAfterSeconds()).isEqualTo(4);
  }

  @Test
  void badRequestTakesGraphsCodeAndMessageOrDefaultsToInvalidRequest() {
    FaultRule own =
        FaultRule.parse(
            "alice@contoso.com:bad-request;code=ErrorInvalidRequest;message=The mailbox is archived.");
    FaultRule plain = FaultRule.parse("alice@contoso.com:bad-request;times=1");

    assertThat(own.kind()).isEqualTo(FaultKind.BAD_REQUEST);
    assertThat(own.errorCode()).isEqualTo("ErrorInvalidRequest");
    assertThat(own.errorMessage()).isEqualTo("The mailbox is archived.");
    assertThat(plain.errorCode()).isEqualTo(FaultRule.DEFAULT_ERROR_CODE);
    assertThat(plain.errorMessage()).isEqualTo(FaultRule.DEFAULT_ERROR_MESSAGE);
    assertThat(FaultRule.parse("alice@contoso.com:throttle").errorCode()).isNull();
  }

  @Test
  void modelTargetsAndEveryKindLabelParse() {
    for (FaultKind kind : FaultKind.values()) {
      assertThat(FaultRule.parse("gpt-4o-mini:" + kind.label()).kind()).isEqualTo(kind);
    }
  }

  @Test
  void everyNamedFaultProfileIsMadeOfValidRules() {
    assertThat(FaultInjector.PROFILES).containsKeys("none", "flaky", "hostile");
    FaultInjector.PROFILES.values().forEach(rules -> rules.forEach(FaultRule::parse));
    assertThat(FaultInjector.PROFILES.get("hostile")).containsAll(FaultInjector.FLAKY);
  }

  @Test
  void mistakesAreRejectedWithTheReason() {
    assertThatThrownBy(() -> FaultRule.parse("alice@contoso.com:explode"))
        .hasMessageContaining("unknown fault kind 'explode'");
    assertThatThrownBy(() -> FaultRule.parse("alice@contoso.com:hang;colour=red"))
        .hasMessageContaining("unknown fault option 'colour'");
    assertThatThrownBy(() -> FaultRule.parse("alice@contoso.com:hang;probability=2"))
        .hasMessageContaining("probability");
    assertThatThrownBy(() -> FaultRule.parse("alice@contoso.com:throttle;code=BadRequest"))
        .hasMessageContaining("options of bad-request only");
  }
}
