package io.backfill.simulator.faults;

import io.backfill.simulator.config.SimulatorConfig;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The active fault rules, from start-up config and the admin API. For each call it decides whether
 * a fault hits and how long to wait first.
 */
@ApplicationScoped
public class FaultInjector {

  /** A rule as installed: its id and how many more calls it may hit. */
  public record ActiveFault(long id, FaultRule rule, AtomicInteger hits) {

    boolean spent() {
      return rule.times() > 0 && hits.get() >= rule.times();
    }
  }

  /**
   * What to do with one call.
   *
   * @param delay wait this long first
   * @param fault then fail this way, or answer normally when null
   */
  public record Decision(Duration delay, FaultRule fault) {

    public static final Decision NONE = new Decision(Duration.ZERO, null);
  }

  private final List<ActiveFault> faults = new CopyOnWriteArrayList<>();
  private final AtomicLong ids = new AtomicLong();
  private final ConcurrentHashMap<Long, ActiveFault> byId = new ConcurrentHashMap<>();

  /** A few 429s and 503s and some latency on every call: what a healthy cloud service does. */
  static final List<String> FLAKY =
      List.of(
          "*:throttle;probability=0.03;retry-after=1",
          "*:unavailable;probability=0.03;retry-after=1",
          "*:latency;latency=20ms;jitter=200ms");

  /** Named fault profiles, for the demo and soak runs: rules in the start-up syntax. */
  static final Map<String, List<String>> PROFILES =
      Map.of(
          "none",
          List.of(),
          "flaky",
          FLAKY,
          "hostile",
          List.of(
              FLAKY.get(0),
              FLAKY.get(1),
              FLAKY.get(2),
              "*:empty-content;probability=0.03",
              "*:null-content;probability=0.03",
              "*:fenced-json;probability=0.05",
              "*:truncated-json;probability=0.03",
              "*:schema-violation;probability=0.03",
              "*:gateway-timeout;probability=0.02"));

  FaultInjector(SimulatorConfig config) {
    List<String> profile = PROFILES.get(config.faultProfile());
    if (profile == null) {
      throw new IllegalArgumentException(
          "unknown fault profile '"
              + config.faultProfile()
              + "', expected one of "
              + PROFILES.keySet());
    }
    profile.forEach(text -> add(FaultRule.parse(text)));
    config.faults().ifPresent(list -> list.forEach(text -> add(FaultRule.parse(text))));
  }

  public ActiveFault add(FaultRule rule) {
    ActiveFault fault = new ActiveFault(ids.incrementAndGet(), rule, new AtomicInteger());
    faults.add(fault);
    byId.put(fault.id(), fault);
    return fault;
  }

  public List<ActiveFault> list() {
    return new ArrayList<>(faults);
  }

  public boolean remove(long id) {
    ActiveFault fault = byId.remove(id);
    return fault != null && faults.remove(fault);
  }

  public void clear() {
    faults.clear();
    byId.clear();
  }

  /**
   * Decides the fate of a call to a target (mailbox or model). Latency rules add up; the first
   * other rule that hits decides the failure.
   */
  public Decision decide(String target, FaultKind.Surface surface) {
    if (faults.isEmpty()) {
      return Decision.NONE;
    }
    String key = target.toLowerCase(Locale.ROOT);
    Duration delay = Duration.ZERO;
    FaultRule failure = null;
    for (ActiveFault fault : faults) {
      FaultRule rule = fault.rule();
      boolean matches = rule.target().equals("*") || rule.target().equals(key);
      if (!matches || !rule.kind().appliesTo(surface) || fault.spent()) {
        continue;
      }
      if (failure != null && rule.kind() != FaultKind.LATENCY) {
        continue;
      }
      if (ThreadLocalRandom.current().nextDouble() >= rule.probability() || !claim(fault)) {
        continue;
      }
      delay = delay.plus(rule.latency()).plus(jitter(rule.jitter()));
      if (rule.kind() != FaultKind.LATENCY) {
        failure = rule;
      }
    }
    return new Decision(delay, failure);
  }

  private static boolean claim(ActiveFault fault) {
    if (fault.rule().times() <= 0) {
      fault.hits().incrementAndGet();
      return true;
    }
    return fault.hits().getAndUpdate(n -> n < fault.rule().times() ? n + 1 : n)
        < fault.rule().times();
  }

  private static Duration jitter(Duration max) {
    return max.isZero()
        ? Duration.ZERO
        : Duration.ofMillis(ThreadLocalRandom.current().nextLong(max.toMillis() + 1));
  }
}
