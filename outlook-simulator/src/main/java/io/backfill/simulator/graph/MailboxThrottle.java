package io.backfill.simulator.graph;

import io.backfill.simulator.config.SimulatorConfig;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Outlook's per-mailbox limits: concurrent requests, requests per 10 minutes per app, and the $top
 * × window budget past which Graph times out. Changeable at runtime through the admin API.
 */
@ApplicationScoped
public class MailboxThrottle {

  /** The limits in force; zero or less turns a limit off. */
  public record Limits(
      int maxConcurrentPerMailbox, int requestsPerTenMinutes, long topDaysBudget) {}

  private static final long TEN_MINUTES_MS = 600_000;

  private final Map<String, AtomicInteger> inFlight = new ConcurrentHashMap<>();
  private final Map<String, Window> windows = new ConcurrentHashMap<>();
  private volatile Limits limits;

  MailboxThrottle(SimulatorConfig config) {
    SimulatorConfig.Graph graph = config.graph();
    this.limits =
        new Limits(
            graph.maxConcurrentPerMailbox(), graph.requestsPerTenMinutes(), graph.topDaysBudget());
  }

  public Limits limits() {
    return limits;
  }

  public void limits(Limits limits) {
    this.limits = limits;
    windows.clear();
  }

  /**
   * Takes a concurrency slot for the mailbox, or throws 429 MailboxConcurrency. The caller must
   * {@link #release} a slot it got, when the response ends.
   */
  public void acquire(String mailbox) {
    AtomicInteger n = inFlight.computeIfAbsent(mailbox, m -> new AtomicInteger());
    int now = n.incrementAndGet();
    int max = limits.maxConcurrentPerMailbox();
    if (max > 0 && now > max) {
      n.decrementAndGet();
      throw new GraphException(
          429,
          "ApplicationThrottled",
          "Application is over its MailboxConcurrency limit.",
          Map.of("Retry-After", "1"));
    }
  }

  public void release(String mailbox) {
    AtomicInteger n = inFlight.get(mailbox);
    if (n != null) {
      n.decrementAndGet();
    }
  }

  /** Counts a request of a tenant's app against the mailbox's 10-minute budget. */
  public void charge(String tenant, String mailbox) {
    int budget = limits.requestsPerTenMinutes();
    if (budget <= 0) {
      return;
    }
    long now = System.currentTimeMillis();
    // A window opens with the first request and lasts ten minutes: two requests a few ms apart
    // are never in different windows, as they could be with windows on the clock's boundaries.
    Window window =
        windows.compute(
            tenant + "/" + mailbox,
            (k, w) -> w == null || now - w.start >= TEN_MINUTES_MS ? new Window(now) : w);
    if (window.count.incrementAndGet() > budget) {
      long retryAfter = Math.max(1, (window.start + TEN_MINUTES_MS - now) / 1000);
      throw new GraphException(
          429,
          "ApplicationThrottled",
          "Application is over its request limit for this mailbox ("
              + budget
              + " requests per 10 minutes).",
          Map.of("Retry-After", Long.toString(retryAfter)));
    }
  }

  /** 504 when $top × days of window is over the budget, as Graph times out on such requests. */
  public void checkWork(int top, double windowDays) {
    long budget = limits.topDaysBudget();
    if (budget > 0 && top * windowDays > budget) {
      throw new GraphException(
          504,
          "UnknownError",
          "The request timed out: $top="
              + top
              + " over "
              + Math.round(windowDays)
              + " days is more than the mailbox can serve in time. Use a smaller $top or window.");
    }
  }

  private static final class Window {
    final long start;
    final AtomicInteger count = new AtomicInteger();

    Window(long start) {
      this.start = start;
    }
  }
}
