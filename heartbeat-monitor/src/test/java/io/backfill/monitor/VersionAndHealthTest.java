package io.backfill.monitor;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.backfill.monitor.reaper.LedgerCatchUp;
import io.backfill.testkit.BackfillInfrastructure;
import io.backfill.testkit.VersionAndHealthContract;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;

@QuarkusTest
@WithTestResource(
    value = BackfillInfrastructure.class,
    scope = TestResourceScope.RESTRICTED_TO_CLASS)
class VersionAndHealthTest extends VersionAndHealthContract {

  @Override
  protected String service() {
    return "heartbeat-monitor";
  }

  @Override
  protected List<String> readinessChecks() {
    return List.of("Kafka", "Database");
  }

  @Inject MeterRegistry metrics;
  @Inject LedgerCatchUp catchUp;

  @Test
  void reaperWithZeroRunsTicksQuietlyAndHeartbeatsItself() {
    // This application has no runs. Once the ledger has caught up, sweeps say nothing.
    await().atMost(Duration.ofSeconds(30)).until(() -> !catchUp.isBehind());
    // The reaper's own sweeps have seen it too (it says "resumes" once, on its first one).
    double caughtUpAt = counter("backfill_reaper_sweeps_total");
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> counter("backfill_reaper_sweeps_total") >= caughtUpAt + 2);
    List<LogRecord> said = new CopyOnWriteArrayList<>();
    Handler listener =
        new Handler() {
          @Override
          public void publish(LogRecord record) {
            if (record.getLevel().intValue() >= Level.INFO.intValue()) {
              said.add(record);
            }
          }

          @Override
          public void flush() {}

          @Override
          public void close() {}
        };
    List<Logger> loggers =
        List.of(
            Logger.getLogger("io.backfill.monitor.reaper"),
            Logger.getLogger("io.backfill.monitor.outbox"));
    loggers.forEach(logger -> logger.addHandler(listener));
    double sweepsBefore = counter("backfill_reaper_sweeps_total");
    try {
      // 25 ticks of 200 ms.
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> counter("backfill_reaper_sweeps_total") >= sweepsBefore + 25);
    } finally {
      loggers.forEach(logger -> logger.removeHandler(listener));
    }

    assertThat(said).extracting(LogRecord::getMessage).isEmpty();
    assertThat(counter("backfill_reaper_sweep_failures_total")).isZero();
    assertThat(counter("backfill_reaper_attempts_timed_out_total")).isZero();
    // The reaper's own heartbeat, as Prometheus scrapes it.
    String scraped = given().get("/q/metrics").then().statusCode(200).extract().asString();
    double lastSweep =
        scraped
            .lines()
            .filter(line -> line.startsWith("backfill_reaper_last_sweep_seconds"))
            .mapToDouble(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)))
            .findFirst()
            .orElse(0);
    assertThat(lastSweep).isGreaterThanOrEqualTo(Instant.now().getEpochSecond() - 5);
  }

  private double counter(String name) {
    return metrics.find(name).counters().stream().mapToDouble(c -> c.count()).sum();
  }
}
