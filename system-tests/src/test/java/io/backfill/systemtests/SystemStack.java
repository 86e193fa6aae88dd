package io.backfill.systemtests;

import io.backfill.stack.LocalStack;
import io.backfill.stack.StackConfig;
import java.nio.file.Path;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * One {@link LocalStack} for every scenario class of a test run: started by the first class that
 * needs it, closed when the run ends. Scenarios keep apart by tenant, not by stack, so a new
 * scenario costs its own work and not a minute of start-up.
 */
final class SystemStack implements BeforeAllCallback {

  static final int MESSAGES = 2_000;

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
                  .build());
    }
    return stack;
  }

  private static synchronized void stop() {
    if (stack != null) {
      stack.close();
      stack = null;
    }
  }
}
