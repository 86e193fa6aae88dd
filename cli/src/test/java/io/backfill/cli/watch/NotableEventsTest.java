package io.backfill.cli.watch;

import static org.assertj.core.api.Assertions.assertThat;

import io.backfill.cli.format.SampleStatus;
import java.util.List;
import org.junit.jupiter.api.Test;

class NotableEventsTest {

  @Test
  void reportsEachTimeoutRetryFailureAndStallOnceWithItsDetails() {
    NotableEvents notable = new NotableEvents();

    List<String> first = notable.diff(SampleStatus.running());
    List<String> again = notable.diff(SampleStatus.running());

    assertThat(first)
        .containsExactlyInAnyOrder(
            "timeout: chunk 3 attempt 1, stale: last heartbeat 16.0 s ago (stale after 15.0 s),"
                + " attempt age 1 min 00 s, progress 40/100 llm, worker worker-b, build sha-b",
            "failed: chunk 4: java.lang.IllegalStateException: the LLM answered with nothing"
                + " (retryable)",
            "retry: chunk 3 attempt 2 started on worker-c",
            "retry: chunk 4 attempt 2 due (failed: IllegalStateException)",
            "stalled: fetch attempt 1 on fetcher-1, no progress for 30.0 s");
    assertThat(again).isEmpty();
  }

  @Test
  void aSecondAttemptIsARetryEvenBeforeTheLedgerNumberedIt() {
    NotableEvents notable = new NotableEvents();

    List<String> lines =
        notable.diff(
            SampleStatus.parse(
                """
                {"status":"running","runs":[{"runId":"extract:j:5","state":"running","attempts":[
                  {"attemptId":"a1","state":"timed_out","workerId":"w-1"},
                  {"attemptId":"a2","state":"running","workerId":"w-2"}]}]}
                """));

    assertThat(lines).containsExactly("retry: chunk 5 attempt 2 started on w-2");
  }

  @Test
  void aStatusChangeIsALineButTheFirstStatusSeenIsNot() {
    NotableEvents notable = new NotableEvents();

    assertThat(notable.status("running", null)).isEmpty();
    assertThat(notable.status("running", null)).isEmpty();
    assertThat(notable.status("paused", "by the tenant"))
        .containsExactly("status: running -> paused (by the tenant)");
  }
}
