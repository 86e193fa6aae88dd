package io.backfill.worker.support;

import io.backfill.contracts.event.Chunk;
import io.backfill.worker.llm.LlmExtractor;
import io.backfill.worker.llm.LlmResult;
import jakarta.annotation.Priority;
import jakarta.decorator.Decorator;
import jakarta.decorator.Delegate;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;

/**
 * Lets a test make the LLM phase of one tenant's chunks slow, hang or wait for a gate, then hands
 * on to the real {@link LlmExtractor} (for these tenants: skipped_no_key, no gateway is
 * configured). Tenants without a script are untouched.
 */
@Decorator
@Priority(1)
public abstract class ScriptedLlm implements LlmExtractor {

  /** What the LLM phase does for a tenant before the real extractor answers. */
  public sealed interface Script permits Delay, Gate, Gates {}

  /** Takes this long (interruptibly: a cancelled attempt stops waiting). */
  public record Delay(Duration duration) implements Script {}

  /** Waits until the test opens the latch. */
  public record Gate(CountDownLatch open) implements Script {}

  /**
   * The tenant's first call waits for the first latch, its second for the second, and so on; calls
   * beyond the list go straight on. Two attempts of one run can so be let go one at a time.
   */
  public record Gates(
      java.util.List<CountDownLatch> open, java.util.concurrent.atomic.AtomicInteger calls)
      implements Script {
    public Gates(java.util.List<CountDownLatch> open) {
      this(open, new java.util.concurrent.atomic.AtomicInteger());
    }
  }

  /** What the phase saw for a run: when it was called and whether it was interrupted. */
  public record Call(Instant at, boolean interrupted) {}

  private static final Map<String, Script> SCRIPTS = new ConcurrentHashMap<>();
  private static final Map<String, Call> CALLS = new ConcurrentHashMap<>();
  private static final Map<String, java.util.List<String>> MESSAGES = new ConcurrentHashMap<>();

  @Inject @Delegate LlmExtractor delegate;

  public static void script(String tenantId, Script script) {
    SCRIPTS.put(tenantId, script);
  }

  /** The last call for a run (by runId), or null. */
  public static Call callOf(String runId) {
    return CALLS.get(runId);
  }

  /** The ids of the messages handed to the LLM phase by a run's calls, in order, or empty. */
  public static java.util.List<String> messagesOf(String runId) {
    return MESSAGES.getOrDefault(runId, java.util.List.of());
  }

  @Override
  public LlmResult extract(Chunk chunk, long deadlineNanos) throws InterruptedException {
    String run = chunk.runId().value();
    MESSAGES.merge(
        run,
        chunk.messages().stream().map(m -> m.id()).toList(),
        (a, b) -> java.util.stream.Stream.concat(a.stream(), b.stream()).toList());
    CALLS.put(run, new Call(Instant.now(), false));
    Script script = SCRIPTS.get(chunk.tenantId());
    try {
      if (script instanceof Delay delay) {
        Thread.sleep(delay.duration().toMillis());
      } else if (script instanceof Gate gate) {
        gate.open().await();
      } else if (script instanceof Gates gates) {
        int call = gates.calls().getAndIncrement();
        if (call < gates.open().size()) {
          gates.open().get(call).await();
        }
      }
    } catch (InterruptedException e) {
      CALLS.put(run, new Call(CALLS.get(run).at(), true));
      throw e;
    }
    return delegate.extract(chunk, deadlineNanos);
  }
}
