package io.backfill.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

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
  void oneSmallP2RunCompletesAndIsReportedWithEveryProcessesCpuPeakRssAndCpuPerMessage()
      throws IOException {
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
            "2000",
            "--idle-baseline",
            "3s",
            "--no-append",
            "--json",
            json.toString(),
            "--work-dir",
            dir.resolve("work").toString(),
            "--project-root",
            root);

    assertThat(run.exitCode()).as(run.out() + run.err()).isEqualTo(ExitCodes.OK);
    assertThat(run.out()).contains("P2 run 1: 2,000 messages in").contains("JSON: " + json);
    JsonNode report = EventJson.mapper().readTree(json.toFile());
    JsonNode only = report.path("runs").get(0);
    assertThat(only.path("scenario").asText()).isEqualTo("P2");
    assertThat(only.path("completed").asBoolean()).as(only.toString()).isTrue();
    JsonNode figures = only.path("figures");
    assertThat(figures.path("msg/s").asDouble()).isPositive();
    // 2,000 messages are 20 chunks: the steady state starts at the first status read (every
    // 500 ms) that shows 2 extracted; even at the 2,000 msg/s target the 1,800 left take 0.9 s.
    assertThat(figures.path("steady after chunks").asDouble()).isEqualTo(2);
    assertThat(figures.path("steady messages").asDouble()).isBetween(1.0, 1800.0);
    assertThat(figures.path("steady seconds").asDouble()).isPositive();
    assertThat(figures.path("idle seconds").asDouble()).isGreaterThanOrEqualTo(3);
    List<String> processes = new ArrayList<>();
    double workersMsPerMessage = 0;
    for (JsonNode process : only.path("processes")) {
      String name = process.path("process").asText();
      processes.add(name);
      assertThat(process.path("cpuSeconds").asDouble()).as(process.toString()).isPositive();
      assertThat(process.path("peakRssKib").asLong()).as(process.toString()).isPositive();
      assertThat(process.path("idleCpuMsPerSecond").isNumber()).as(process.toString()).isTrue();
      assertThat(process.path("idleCpuMsPerSecond").asDouble()).isGreaterThanOrEqualTo(0);
      assertThat(process.path("cpuMsPerMessageNetOfIdle").isNumber())
          .as(process.toString())
          .isTrue();
      // A part with nothing left to do after the mark (the simulator once every page is fetched)
      // may use less than one clock tick in a short steady state: 0, never missing or negative.
      assertThat(process.path("cpuMsPerMessage").isNumber()).as(process.toString()).isTrue();
      assertThat(process.path("cpuMsPerMessage").asDouble()).isGreaterThanOrEqualTo(0);
      assertThat(process.path("cpuMsPerChunk").asDouble())
          .isEqualTo(100 * process.path("cpuMsPerMessage").asDouble(), within(1e-9));
      if (name.startsWith("extraction-worker")) {
        workersMsPerMessage += process.path("cpuMsPerMessage").asDouble();
      }
    }
    // The extraction of the steady state's messages is CPU the workers spent.
    assertThat(workersMsPerMessage).isPositive();
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
    JsonNode all = null;
    for (JsonNode process : report.path("processes")) {
      if (process.path("process").asText().equals("all processes")) {
        all = process;
      }
    }
    assertThat(all).as(report.path("processes").toString()).isNotNull();
    assertThat(all.path("cpuMsPerMessage").path("median").asDouble()).isPositive();
    assertThat(all.path("idleCpuMsPerSecond").path("median").asDouble()).isPositive();
    assertThat(run.out())
        .contains(
            "IDLE CPU ms/s",
            "CPU ms/msg",
            "CPU ms/chunk",
            "NET ms/msg",
            "JIT ms/msg",
            "GC ms/msg",
            "all processes",
            "pipeline (without the simulator)");
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

  @Test
  void aSteadyStateStartingAfterMostOfTheRunIsBadInput() {
    CliRun run =
        CliRun.of(
            "bench",
            "--steady-after",
            "95",
            "--project-root",
            System.getProperty("backfill.project.root", ".."));

    assertThat(run.exitCode()).isEqualTo(ExitCodes.BAD_INPUT);
    assertThat(run.err()).contains("--steady-after must be 1 to 90");
  }
}
