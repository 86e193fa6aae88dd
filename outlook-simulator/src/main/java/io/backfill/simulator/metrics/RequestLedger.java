package io.backfill.simulator.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counts what the simulator served, per endpoint, tenant, target and status, so tests can assert
 * what a client called. Also exported as {@code simulator_requests_total} at /q/metrics. A call
 * that ended without an answer (hang or reset) counts with status {@code no-response}.
 */
@ApplicationScoped
public class RequestLedger {

  /** One counted combination and how many calls it had. */
  public record Count(String endpoint, String tenant, String target, String status, long count) {}

  /** What is known about a call while it runs; the tenant is learnt after authentication. */
  public static final class Call {
    private final String endpoint;
    private volatile String target;
    private volatile String tenant = "unknown";

    Call(String endpoint, String target) {
      this.endpoint = endpoint;
      this.target = target;
    }

    public void tenant(String tenant) {
      this.tenant = tenant;
    }

    /** The target, when it is known only from the request body (a model name). */
    public void target(String target) {
      this.target = target.toLowerCase(java.util.Locale.ROOT);
    }
  }

  private record Key(String endpoint, String tenant, String target, String status) {}

  private final MeterRegistry registry;
  private final Map<Key, LongAdder> counts = new ConcurrentHashMap<>();

  RequestLedger(MeterRegistry registry) {
    this.registry = registry;
  }

  /** Starts counting a call; it is counted once, when its response ends or its connection does. */
  public Call track(RoutingContext context, String endpoint, String target) {
    Call call =
        new Call(endpoint, target == null ? "-" : target.toLowerCase(java.util.Locale.ROOT));
    context.addEndHandler(
        ended -> {
          boolean answered = ended.succeeded() && context.response().ended();
          record(
              call,
              answered ? Integer.toString(context.response().getStatusCode()) : "no-response");
        });
    return call;
  }

  private void record(Call call, String status) {
    Key key = new Key(call.endpoint, call.tenant, call.target, status);
    counts.computeIfAbsent(key, k -> new LongAdder()).increment();
    Counter.builder("simulator.requests")
        .description("Calls served by the simulator")
        .tag("endpoint", key.endpoint())
        .tag("tenant", key.tenant())
        .tag("target", key.target())
        .tag("status", key.status())
        .register(registry)
        .increment();
  }

  public List<Count> counts() {
    List<Count> list = new ArrayList<>();
    counts.forEach(
        (k, v) -> list.add(new Count(k.endpoint(), k.tenant(), k.target(), k.status(), v.sum())));
    return list;
  }

  /** Forgets the admin counts (the Prometheus counters keep rising, as counters must). */
  public void reset() {
    counts.clear();
  }
}
