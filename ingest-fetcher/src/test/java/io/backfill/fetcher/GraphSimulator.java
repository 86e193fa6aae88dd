package io.backfill.fetcher;

import io.backfill.testkit.ServiceProcess;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.HashMap;
import java.util.Map;

/**
 * The outlook-simulator as its own process (its runnable jar), with the fetcher pointed at it: the
 * same Graph and token code paths as production, over real HTTP. Timeouts and backoffs are small so
 * the fault tests take seconds.
 */
public class GraphSimulator implements QuarkusTestResourceLifecycleManager {

  static final String DIRECTORY = "contoso-tenant";

  /** A second directory whose only app is its own (not the fetcher's default app). */
  static final String OWN_APP_DIRECTORY = "fabrikam-tenant";

  static final String OWN_APP_ID = "fabrikam-app";
  static final String OWN_APP_SECRET = "fabrikam-secret";
  private static ServiceProcess simulator;

  static String baseUrl() {
    return simulator.baseUrl();
  }

  @Override
  public Map<String, String> start() {
    simulator =
        ServiceProcess.start(
            "outlook-simulator",
            Map.of(
                "backfill.simulator.mailbox-end",
                "2026-01-01T00:00:00Z",
                "backfill.simulator.graph.tenants." + DIRECTORY + ".client-id",
                "backfill-app",
                "backfill.simulator.graph.tenants." + DIRECTORY + ".client-secret",
                "backfill-secret",
                "backfill.simulator.graph.tenants." + OWN_APP_DIRECTORY + ".client-id",
                OWN_APP_ID,
                "backfill.simulator.graph.tenants." + OWN_APP_DIRECTORY + ".client-secret",
                OWN_APP_SECRET));
    Map<String, String> config = new HashMap<>();
    config.put("backfill.graph.base-url", simulator.baseUrl());
    config.put("quarkus.oidc-client.auth-server-url", simulator.baseUrl() + "/" + DIRECTORY);
    // Tenants' own directories (gateway connections) are at <login-url>/<directoryId>.
    config.put("backfill.graph.connections.login-url", simulator.baseUrl());
    config.put("quarkus.oidc-client.client-id", "backfill-app");
    config.put("quarkus.oidc-client.credentials.client-secret.value", "backfill-secret");
    config.put("backfill.fetcher.start-accepted-jobs", "true");
    // Stale threshold 3 x 500 ms: a first Graph call of a few seconds is "longer than stale".
    config.put("backfill.fetcher.heartbeat-interval", "500ms");
    // Acks can lag seconds on a loaded test machine; self-fencing is not what these tests test.
    config.put("backfill.fetcher.self-fence-after-intervals", "10");
    config.put("backfill.graph.read-timeout", "2s");
    config.put("backfill.graph.connect-timeout", "1s");
    config.put("backfill.graph.initial-backoff", "100ms");
    config.put("backfill.graph.max-backoff", "400ms");
    config.put("backfill.graph.max-retries", "6");
    // Few slots, so one tenant's burst of jobs makes another tenant's job wait for a fair share.
    config.put("backfill.fetcher.max-concurrent-attempts", "4");
    config.put("backfill.fetcher.max-attempts-per-tenant", "2");
    return config;
  }

  @Override
  public void stop() {
    if (simulator != null) {
      simulator.close();
    }
  }
}
