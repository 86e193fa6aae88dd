package io.backfill.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PromQlTest {

  @Test
  void metricNamesAreReadFromSelectorsNotFromFunctionsLabelsOrStrings() {
    assertThat(
            PromQl.metricNames(
                "sum by (consumergroup) (max by (consumergroup, topic) (kafka_consumergroup_lag"
                    + "{consumergroup=~\"$group\", topic=\"backfill.chunks\"})) / sum(rate("
                    + "kafka_consumer_fetch_manager_records_consumed_total[$__rate_interval]))"
                    + " and on (job) time() - backfill_reaper_last_sweep_seconds > 60 or up == 0"))
        .containsExactlyInAnyOrder(
            "kafka_consumergroup_lag",
            "kafka_consumer_fetch_manager_records_consumed_total",
            "backfill_reaper_last_sweep_seconds",
            "up");
  }

  @Test
  void subqueriesAndOffsetsAreNotMetrics() {
    assertThat(PromQl.metricNames("deriv((sum(x_total))[10m:1m]) > 0 and y offset 5m"))
        .containsExactlyInAnyOrder("x_total", "y");
  }
}
