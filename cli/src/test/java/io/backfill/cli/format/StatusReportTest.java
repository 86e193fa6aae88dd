package io.backfill.cli.format;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class StatusReportTest {

  @Test
  void showsTheJobProgressCountsActiveAttemptsTimeoutsAndErrors() {
    List<String> lines = StatusReport.lines(SampleStatus.running());

    assertThat(lines.get(0)).isEqualTo("Job " + SampleStatus.JOB + "  RUNNING");
    assertThat(lines)
        .contains(
            "  window     [2024-01-01T00:00:00Z, 2025-01-01T00:00:00Z)",
            "  progress   45%  chunks 9/20, more coming  messages fetched 2,000, extracted 900",
            "  counts     entities 3,400  relationships 1,200  embeddings 900"
                + "  llm ok 8, skipped_no_key 1",
            "  runs       11 (retry-due 1, running 2), the 3 most relevant shown",
            "    chunk 3 attempt 1: stale: last heartbeat 16.0 s ago (stale after 15.0 s),"
                + " attempt age 1 min 00 s, progress 40/100 llm, worker worker-b, build sha-b",
            "    chunk 4: java.lang.IllegalStateException: the LLM answered with nothing"
                + " (retryable)",
            "      at a.B.c(B.java:1)");
    assertThat(String.join("\n", lines))
        .containsPattern("chunk 3 +2 +running +worker-c +0123456789ab +1.2 s ago +3/10 llm")
        .containsPattern("chunk 4 +2 +retry due .*failed: IllegalStateException")
        .containsPattern("fetch +1 +stalled 30.0 s +fetcher-1");
  }

  @Test
  void retriesAreCountedFromTheAttemptsWhenTheyCarryNoNumber() {
    JobSummary summary =
        JobSummary.of(
            SampleStatus.parse(
                """
                {"status":"completed","runs":[
                  {"runId":"extract:j:1","attempts":[{"attemptId":"a"},{"attemptId":"b"}]},
                  {"runId":"extract:j:2","attempts":[{"attemptId":"c"}]}]}
                """));

    assertThat(summary.retries()).isEqualTo(1);
  }

  @Test
  void aTimeoutWithoutAnyHeartbeatSaysSo() {
    String line =
        StatusReport.diagnosis(
            SampleStatus.parse(
                "{\"rule\":\"deadline\",\"lane\":\"fetch\",\"attemptAgeMs\":900000}"));

    assertThat(line).isEqualTo("deadline: no heartbeat ever received, attempt age 15 min 00 s");
  }

  @Test
  void theSummaryCountsRetriesTimeoutsAndThroughputOverTheJobsDuration() {
    JobSummary summary = JobSummary.of(SampleStatus.completed());

    assertThat(summary.messages()).isEqualTo(5_000);
    assertThat(summary.chunks()).isEqualTo(50);
    assertThat(summary.retries()).isEqualTo(1);
    assertThat(summary.timeouts()).isEqualTo(1);
    assertThat(summary.throughput()).isEqualTo("125.0/s messages");
    assertThat(summary.line())
        .isEqualTo(
            "completed in 40.0 s: 5,000 messages in 50 chunks, 17,000 entities,"
                + " 6,000 relationships, 5,000 embeddings, llm ok 50, 1 timeouts, 1 retries,"
                + " 125.0/s messages");
    assertThat(String.join("\n", summary.table()))
        .containsPattern("(?m)^messages +5,000$")
        .containsPattern("(?m)^LLM outcomes \\(chunks\\) +ok 50$")
        .containsPattern("(?m)^retries +1$")
        .containsPattern("(?m)^throughput +125.0/s messages$");
  }
}
