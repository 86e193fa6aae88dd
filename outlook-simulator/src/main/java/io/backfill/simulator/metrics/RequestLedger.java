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
 * Counts what the simulator served, per endpoint, tenant, target, client id, status and identity
 * platform error, so tests can assert what a client called (and that no token was ever issued for a
 * directory). Also exported as {@code simulator_requests_total} at /q/metrics. A call that ended
 * without an answer (hang or reset) counts with status {@code no-response}.
 */
@ApplicationScoped
public class RequestLedger {

  /**
   * One counted combination and how many calls it had.
   *
   * @param clientId the app that called ({@code -} when unknown, as on LLM calls)
   * @param error the identity platform's code of a refusal, e.g. {@code AADSTS65001}; {@code -}
   *     otherwise
   */
  public record Count(
      String endpoint,
      String tenant,
      String target,
      String clientId,
      String status,
      String error,
      long count) {}

  /** What is known about a call while it runs; the tenant is learnt after authentication. */
  public static final class Call {
    private final String endpoint;
    private volatile String target;
    private volatile String tenant = "unknown";
    private volatile String clientId = NONE;
    private volatile String error = NONE;

    Call(String endpoint, String target) {
      this.endpoint = endpoint;
      this.target = target;
    }

    public void tenant(String tenant) {
      this.tenant = tenant;
    }

    /** The app that called, once known (from the token request or the bearer token). */
    public void clientId(String clientId) {
      this.clientId = clientId == null || clientId.isBlank() ? NONE : clientId;
    }

    /** The identity platform's code of a refusal, e.g. {@code AADSTS700016}. */
    public void error(String error) {
      this.error = error;
    }

    /** The target, when it is known only from the request body (a model name). */
    public void target(String target) {
      this.target = target.toLowerCase(java.util.Locale.ROOT);
    }
  }

  private static final String NONE = "-";

  private record Key(
      String endpoint,
      String tenant,
      String target,
      String clientId,
      String status,
      String error) {}

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
    Key key = new Key(call.endpoint, call.tenant, call.target, call.clientId, status, call.error);
    counts.computeIfAbsent(key, k -> new LongAdder()).increment();
    Counter.builder("simulator.requests")
        .description("Calls served by the simulator")
        .tag("endpoint", key.endpoint())
        .tag("tenant", key.tenant())
        .tag("target", key.target())
        .tag("client_id", key.clientId())
        .tag("status", key.status())
        .tag("error", key.error())
        .register(registry)
        .increment();
  }

  public List<Count> counts() {
    List<Count> list = new ArrayList<>();
    counts.forEach(
        (k, v) ->
            list.add(
                new Count(
                    k.endpoint(),
                    k.tenant(),
                    k.target(),
                    k.clientId(),
                    k.status(),
                    k.error(),
                    v.sum())));
    return list;
  }

  /** Forgets the admin counts (the Prometheus counters keep rising, as counters must). */
  public void reset() {
    counts.clear();
  }
}
