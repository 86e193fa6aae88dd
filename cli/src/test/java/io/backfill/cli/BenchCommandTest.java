package io.backfill.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.backfill.contracts.serde.EventJson;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code backfill bench} end to end at a tiny size: one P2 run on a real local stack (broker,
 * PostgreSQL, simulator, the four services as processes), its JSON checked. Speed is not asserted.
 */
class BenchCommandTest {

  @TempDir Path dir;

  @Test
  void oneSmallP2RunCompletesAndIsReportedWithEveryProcessesCpuAndPeakRss() throws IOException {
    Path json = dir.resolve("bench.json");
    String root = System.getProperty("backfill.project.root", "..");

    CliRun run =
        CliRun.of(
            "bench",
            "--runs",
            "1",
            "--only",
            "P2",
            "--p2-messages",
            "500",
            "--no-append",
            "--json",
            json.toString(),
            "--work-dir",
            dir.resolve("work").toString(),
            "--project-root",
            root);

    assertThat(run.exitCode()).as(run.out() + run.err()).isEqualTo(ExitCodes.OK);
    assertThat(run.out()).contains("P2 run 1: 500 messages in").contains("JSON: " + json);
    JsonNode report = EventJson.mapper().readTree(json.toFile());
    JsonNode only = report.path("runs").get(0);
    assertThat(only.path("scenario").asText()).isEqualTo("P2");
    assertThat(only.path("completed").asBoolean()).as(only.toString()).isTrue();
    assertThat(only.path("figures").path("msg/s").asDouble()).isPositive();
    List<String> processes = new ArrayList<>();
    for (JsonNode process : only.path("processes")) {
      processes.add(process.path("process").asText());
      assertThat(process.path("cpuSeconds").asDouble()).as(process.toString()).isPositive();
      assertThat(process.path("peakRssKib").asLong()).as(process.toString()).isPositive();
    }
    assertThat(processes)
        .contains(
            "kafka",
            "outlook-simulator",
            "ingest-fetcher",
            "extraction-worker-1",
            "extraction-worker-2",
            "heartbeat-monitor",
            "api-gateway",
            "postgresql (backends)");
    JsonNode figure = report.path("figures").get(0);
    assertThat(figure.path("figure").asText()).isEqualTo("msg/s");
    assertThat(figure.path("target").asText()).isEqualTo("≥ 2,000");
    assertThat(figure.path("result").asText()).isIn("met", "missed");
    assertThat(report.path("processes")).isNotEmpty();
  }

  @Test
  void anUnknownScenarioIsBadInput() {
    CliRun run =
        CliRun.of(
            "bench",
            "--only",
            "P9",
            "--project-root",
            System.getProperty("backfill.project.root", ".."));

    assertThat(run.exitCode()).isEqualTo(ExitCodes.BAD_INPUT);
    assertThat(run.err()).contains("--only: unknown scenario P9");
  }
}
