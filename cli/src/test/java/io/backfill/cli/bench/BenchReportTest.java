package io.backfill.cli.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import io.backfill.contracts.serde.EventJson;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BenchReportTest {

  @TempDir Path dir;

  private static RunRecord p1(int run, double msgPerSecond) {
    return new RunRecord(
        "P1", run, true, "job " + run, Map.of(Bench.MSG_PER_S, msgPerSecond), List.of(), 1.5);
  }

  private static RunRecord p1b(int run, double msgPerSecond) {
    return new RunRecord(
        "P1b", run, true, "job b" + run, Map.of(Bench.MSG_PER_S, msgPerSecond), List.of(), 1.5);
  }

  private static RunRecord p2(int run, double msgPerSecond) {
    Map<String, Double> figures = new LinkedHashMap<>();
    figures.put("messages", 10_000.0);
    figures.put(Bench.MSG_PER_S, msgPerSecond);
    return new RunRecord(
        "P2",
        run,
        true,
        "job p2-" + run,
        figures,
        List.of(
            new ProcessUsage("kafka", 10, 0.25, 300 * 1024, 5, 0.2, 0.15, 0.05, 0.01),
            new ProcessUsage(
                "extraction-worker-1", 20, 0.5, 500 * 1024, 20, 1.0 + run, 0.9, 0.3, 0.1),
            new ProcessUsage("outlook-simulator", 4, 0.1, 200 * 1024, 2, 0.5, 0.4, 0.2, 0),
            new ProcessUsage(StackCpu.THIS_JVM, 1, 0.01, 100 * 1024)),
        2.0);
  }

  private BenchReport report() {
    Machine machine = new Machine(2, "Test CPU", 24 * 1024 * 1024, "17.0.9", "Linux", 1.0);
    BenchReport report =
        new BenchReport(
            Instant.parse("2026-11-25T17:00:00Z"),
            "abc123def456",
            machine,
            Map.of("runs", "3", "P2", "10000 messages"));
    List<RunRecord> runs =
        List.of(
            p1(1, 300),
            p1(2, 290),
            p1(3, 310),
            p1b(1, 5),
            p1b(2, 5.8),
            RunRecord.failed("P1b", 3, "job x failed", 2.5),
            p2(1, 2100),
            p2(2, 1900),
            p2(3, 1800));
    runs.forEach(report::add);
    Bench.figures(
            Map.of(
                "P1", runs.subList(0, 3),
                "P1b", runs.subList(3, 6),
                "P2", runs.subList(6, 9)))
        .forEach(report::add);
    report.note("P3: not run (the monitor-scale driver is not in this build).");
    return report.finish(Instant.parse("2026-11-25T17:30:00Z"), "1.00 1.10 1.20");
  }

  @Test
  void figuresAreMediansOfCompletedRunsWithTargetsJudged() {
    List<Figure> figures = report().figures();

    Figure ratio = figures.get(1);
    assertThat(ratio.name()).isEqualTo("ratio to W×C/L = 320 msg/s");
    assertThat(ratio.stats().median()).isEqualTo(300 / 320.0);
    assertThat(ratio.verdict()).isEqualTo("met");
    Figure speedUp = figures.get(3);
    // Run 3 of P1b failed: only runs 1 and 2 pair up.
    assertThat(speedUp.values()).containsExactly(60.0, 290 / 5.8);
    assertThat(speedUp.runs()).isEqualTo(3);
    assertThat(speedUp.verdict()).isEqualTo("met");
    assertThat(figures.get(4).verdict()).isEqualTo("missed");
  }

  @Test
  void theTableHasOneRowPerFigureWithMedianMinMaxTargetAndResult() {
    List<String> table = report().table();

    assertThat(table.get(0).split(" +"))
        .containsExactly("SCENARIO", "FIGURE", "MEDIAN", "MIN", "MAX", "TARGET", "RESULT", "RUNS");
    assertThat(table).hasSize(6);
    assertThat(table.get(2)).contains("P1", "0.94", "0.91", "0.97", "≥ 0.90", "met", "3/3");
    assertThat(table.get(4)).contains("speed-up", "55", "50", "60", "≥ 50", "met", "2/3");
    assertThat(table.get(5)).contains("P2", "1,900", "1,800", "2,100", "≥ 2,000", "missed", "3/3");
  }

  @Test
  void theJsonHoldsMachineParametersFiguresProcessesAndEveryRun() {
    JsonNode json = report().toJson();

    assertThat(json.path("gitCommit").asText()).isEqualTo("abc123def456");
    assertThat(json.path("machine").path("cores").asInt()).isEqualTo(2);
    assertThat(json.path("machine").path("loadAverageAtEnd").asText()).isEqualTo("1.00 1.10 1.20");
    assertThat(json.path("parameters").path("P2").asText()).isEqualTo("10000 messages");
    JsonNode p2 = json.path("figures").get(4);
    assertThat(p2.path("scenario").asText()).isEqualTo("P2");
    assertThat(p2.path("median").asDouble()).isEqualTo(1900);
    assertThat(p2.path("values")).hasSize(3);
    assertThat(p2.path("target").asText()).isEqualTo("≥ 2,000");
    assertThat(p2.path("result").asText()).isEqualTo("missed");
    assertThat(json.path("processes")).hasSize(6);
    JsonNode kafka = json.path("processes").get(0);
    assertThat(kafka.path("process").asText()).isEqualTo("kafka");
    assertThat(kafka.path("cpuPercent").path("median").asDouble()).isEqualTo(25.0);
    assertThat(kafka.path("peakRssMib").path("max").asDouble()).isEqualTo(300.0);
    assertThat(kafka.path("cpuMsPerMessage").path("median").asDouble()).isEqualTo(0.2);
    assertThat(kafka.path("cpuMsPerChunk").path("median").asDouble()).isEqualTo(20.0, within(1e-9));
    assertThat(kafka.path("idleCpuMsPerSecond").path("median").asDouble()).isEqualTo(5.0);
    JsonNode worker = json.path("processes").get(1);
    // Runs 1, 2, 3: 2, 3 and 4 ms per message.
    assertThat(worker.path("cpuMsPerMessage").path("median").asDouble()).isEqualTo(3.0);
    assertThat(worker.path("cpuMsPerMessage").path("max").asDouble()).isEqualTo(4.0);
    JsonNode bench = json.path("processes").get(3);
    assertThat(bench.has("cpuMsPerMessage")).as("not measured: no figure").isFalse();
    // The stack's processes summed run by run, without the bench's own JVM.
    JsonNode all = json.path("processes").get(4);
    assertThat(all.path("process").asText()).isEqualTo("all processes");
    assertThat(all.path("cpuPercent").path("median").asDouble()).isEqualTo(85.0, within(1e-9));
    assertThat(all.path("peakRssMib").path("median").asDouble()).isEqualTo(1000.0);
    assertThat(all.path("cpuMsPerMessage").path("median").asDouble()).isEqualTo(3.7, within(1e-9));
    assertThat(all.path("cpuMsPerMessageNetOfIdle").path("median").asDouble())
        .isEqualTo(1.45, within(1e-9));
    assertThat(all.path("idleCpuMsPerSecond").path("median").asDouble()).isEqualTo(27.0);
    assertThat(all.path("jitMsPerMessage").path("median").asDouble()).isEqualTo(0.55, within(1e-9));
    assertThat(all.path("gcMsPerMessage").path("median").asDouble()).isEqualTo(0.11, within(1e-9));
    // The same without the simulator, which stands in for Graph and the LLM.
    JsonNode pipeline = json.path("processes").get(5);
    assertThat(pipeline.path("process").asText()).isEqualTo("pipeline (without the simulator)");
    assertThat(pipeline.path("cpuPercent").path("median").asDouble()).isEqualTo(75.0);
    assertThat(pipeline.path("cpuMsPerMessage").path("median").asDouble())
        .isEqualTo(3.2, within(1e-9));
    assertThat(pipeline.path("jitMsPerMessage").path("median").asDouble())
        .isEqualTo(0.35, within(1e-9));
    JsonNode runProcess = json.path("runs").get(6).path("processes").get(0);
    assertThat(runProcess.path("cpuMsPerMessage").asDouble()).isEqualTo(0.2);
    assertThat(runProcess.path("cpuMsPerChunkNetOfIdle").asDouble()).isEqualTo(15.0, within(1e-9));
    assertThat(json.path("runs").get(6).path("processes").get(3).path("cpuMsPerMessage").isNull())
        .isTrue();
    assertThat(json.path("runs")).hasSize(9);
    JsonNode failed = json.path("runs").get(5);
    assertThat(failed.path("completed").asBoolean()).isFalse();
    assertThat(failed.path("detail").asText()).isEqualTo("job x failed");
    assertThat(json.path("notes").get(0).asText()).startsWith("P3: not run");
  }

  @Test
  void theJsonFileReadsBackAsWritten() throws Exception {
    Path file = dir.resolve("nested/bench.json");

    report().writeJson(file);

    JsonNode read = EventJson.mapper().readTree(file.toFile());
    assertThat(read.path("figures")).hasSize(5);
  }

  @Test
  void theMarkdownSectionIsAppendedAndTheFileCreatedWithAHeadingWhenMissing() throws Exception {
    Path file = dir.resolve("docs/performance.md");

    report().appendMarkdown(file);
    report().appendMarkdown(file);

    String text = Files.readString(file);
    assertThat(text).startsWith("# Performance");
    assertThat(text.split("\n## Bench 2026-11-25T17:00:00Z, commit abc123def456", -1)).hasSize(3);
    assertThat(text)
        .contains("- Machine: 2 cores (Test CPU), 24576 MiB memory, JDK 17.0.9, Linux")
        .contains("- Load average (1, 5, 15 min): 1 at start, 1.00 1.10 1.20 at end")
        .contains("| SCENARIO | FIGURE | MEDIAN | MIN | MAX | TARGET | RESULT | RUNS |")
        .contains("| P2 | msg/s | 1,900 | 1,800 | 2,100 | ≥ 2,000 | missed | 3/3 |")
        .contains("| P2 | kafka | 25 |")
        .contains(
            "| P2 | all processes | 85 | 85 | 85 | 1,000 | 1,000 | 27 | 3.70 | 370 | 1.45 | 145 |"
                + " 0.55 | 0.11 |")
        .contains(
            "| P2 | pipeline (without the simulator) | 75 | 75 | 75 | 800 | 800 | 25 | 3.20 | 320 |"
                + " 1.05 | 105 | 0.35 | 0.11 |")
        .contains("| P1b | 3 | FAILED | 2.50 | job x failed |")
        .contains("- P3: not run (the monitor-scale driver is not in this build).");
  }
}
