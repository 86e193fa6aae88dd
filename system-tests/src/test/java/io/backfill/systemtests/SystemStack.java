package io.backfill.systemtests;

import io.backfill.stack.LocalStack;
import io.backfill.stack.StackConfig;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * One {@link LocalStack} for every scenario class of a test run: started by the first class that
 * needs it, closed when the run ends. Scenarios keep apart by tenant, not by stack, so a new
 * scenario costs its own work and not a minute of start-up. When the run ends the scenario table of
 * every class is printed (and, with {@value #REPORT_PROPERTY} set, the reliability table is written
 * there).
 */
final class SystemStack implements BeforeAllCallback {

  static final int MESSAGES = 2_000;

  /**
   * The fetcher's attempt slots: fewer than the jobs one scenario submits at once, so jobs wait for
   * a slot (the queue a fetcher crash must not orphan).
   */
  static final int FETCHER_SLOTS = 3;

  static final String REPORT_PROPERTY = "backfill.system-tests.reliability-report";

  private static LocalStack stack;

  @Override
  public void beforeAll(ExtensionContext context) {
    context
        .getRoot()
        .getStore(ExtensionContext.Namespace.GLOBAL)
        .getOrComputeIfAbsent(SystemStack.class, key -> (AutoCloseable) SystemStack::stop);
    get();
  }

  /** The run's stack, started on first use. */
  static synchronized LocalStack get() {
    if (stack == null) {
      stack =
          LocalStack.start(
              StackConfig.builder()
                  .workDir(Path.of("target/system-stack").toAbsolutePath())
                  .messages(MESSAGES)
                  .workers(2)
                  .moduleProperty(
                      LocalStack.FETCHER,
                      "backfill.fetcher.max-concurrent-attempts",
                      String.valueOf(FETCHER_SLOTS))
                  // A hung LLM call (scenario 5) ends at this timeout instead of the default 60 s;
                  // still above the 8 s latency of the slow-chunk scenario (8).
                  .moduleProperty(LocalStack.WORKER, "backfill.worker.llm.call-timeout", "20s")
                  .build());
    }
    return stack;
  }

  private static synchronized void stop() {
    ScenarioTable table = ScenarioTable.shared();
    table.print(Path.of("target/system-scenarios.txt").toAbsolutePath());
    String report = System.getProperty(REPORT_PROPERTY, "");
    if (!report.isBlank()) {
      ScenarioTable.write(Path.of(report), table.reliability(Rounds.count(), Instant.now()));
      System.out.println("Reliability table written to " + report);
    }
    if (stack != null) {
      stack.close();
      stack = null;
    }
  }
}
