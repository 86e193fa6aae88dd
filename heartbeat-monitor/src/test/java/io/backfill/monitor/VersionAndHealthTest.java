package io.backfill.monitor;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

import io.backfill.monitor.reaper.LedgerCatchUp;
import io.backfill.testkit.BackfillInfrastructure;
import io.backfill.testkit.GitHead;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
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
@QuarkusTestResource(value = BackfillInfrastructure.class, restrictToAnnotatedClass = true)
class VersionAndHealthTest {

  @Inject MeterRegistry metrics;
  @Inject LedgerCatchUp catchUp;

  @Test
  void versionReportsTheCommitThisProcessWasBuiltFrom() {
    JsonPath version = given().get("/version").then().statusCode(200).extract().jsonPath();
    String infoCommit =
        given()
            .get("/q/info")
            .then()
            .statusCode(200)
            .extract()
            .jsonPath()
            .getString("git.commit.id.full");

    assertThat(version.getString("service")).isEqualTo("heartbeat-monitor");
    assertThat(version.getString("version")).isNotBlank();
    assertThat(version.getString("buildSha")).isEqualTo(GitHead.sha()).isEqualTo(infoCommit);
    assertThat(Instant.parse(version.getString("builtAt"))).isBefore(Instant.now());
    assertThat(Instant.parse(version.getString("startedAt"))).isBefore(Instant.now());
  }

  @Test
  void readinessChecksBothKafkaAndTheDatabase() {
    JsonPath health =
        given()
            .get("/q/health/ready")
            .then()
            .statusCode(200)
            .body("status", equalTo("UP"))
            .extract()
            .jsonPath();

    List<String> checks = health.getList("checks.name");
    assertThat(checks).anyMatch(name -> name.contains("Kafka"));
    assertThat(checks).anyMatch(name -> name.contains("Database"));
  }

  @Test
  void buildInfoMetricCarriesTheBuildThisProcessReports() {
    String sha = given().get("/version").then().statusCode(200).extract().path("buildSha");
    String metrics = given().get("/q/metrics").then().statusCode(200).extract().asString();

    assertThat(metrics)
        .containsPattern("backfill_build_info\\{[^}]*build_sha=\"" + sha + "\"[^}]*\\} 1\\.0");
  }

  @Test
  void livenessAndPrometheusMetricsAreServed() {
    given().get("/q/health/live").then().statusCode(200).body("status", equalTo("UP"));
    String metrics = given().get("/q/metrics").then().statusCode(200).extract().asString();

    assertThat(metrics).contains("jvm_memory_used_bytes");
  }

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
