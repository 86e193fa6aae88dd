package io.backfill.stack;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The configuration each process of a local stack starts with: every service's setting keys, the
 * addresses that tie the processes together, and the local timings (heartbeats every 2 s, stale
 * after 10 s) that make a killed process show in seconds.
 *
 * <p>The simulator's and the gateway's addresses are chosen before any process starts, because the
 * others' settings name them.
 */
final class ServiceSettings {

  private final StackConfig config;
  private final String simulatorUrl;
  private final int gatewayPort;
  private final int gatewayInternalPort;

  ServiceSettings(
      StackConfig config, String simulatorUrl, int gatewayPort, int gatewayInternalPort) {
    this.config = config;
    this.simulatorUrl = simulatorUrl;
    this.gatewayPort = gatewayPort;
    this.gatewayInternalPort = gatewayInternalPort;
  }

  /** The gateway's internal endpoints (service token), what the fetcher and workers call. */
  String gatewayInternalUrl() {
    return "http://127.0.0.1:" + gatewayInternalPort;
  }

  /** Where the identity platform sends an administrator's browser after admin consent. */
  String consentCallbackUrl() {
    return "http://127.0.0.1:" + gatewayPort + "/api/v1/graph/consent/callback";
  }

  /**
   * The simulator's OpenAI-compatible base URL, what a tenant stores as {@code openai_base_url}.
   */
  String llmBaseUrl() {
    return simulatorUrl + "/v1";
  }

  Map<String, String> simulator() {
    Map<String, String> p = new LinkedHashMap<>();
    p.put("quarkus.http.host", LocalStack.SIMULATOR_HOST);
    p.put("quarkus.log.console.json.enabled", "false");
    // Each mailbox belongs to its organisation's directory: only that directory's tokens read it.
    p.put(
        "backfill.simulator.mailboxes",
        config.mailbox
            + "="
            + config.messages
            + ";seed="
            + config.mailboxSeed
            + ";tenant="
            + StackConfig.GRAPH_DIRECTORY
            + ","
            + StackConfig.OTHER_MAILBOX
            + "=20;seed=2;tenant="
            + StackConfig.OTHER_GRAPH_DIRECTORY
            + ","
            + StackConfig.CONSENTING_MAILBOX
            + "=20;seed=3;tenant="
            + StackConfig.CONSENTING_GRAPH_DIRECTORY);
    p.put("backfill.simulator.mailbox-end", config.mailboxEnd.toString());
    p.put("backfill.simulator.mailbox-span-days", String.valueOf(config.mailboxSpanDays));
    // The operator's multi-tenant app: tokens for a directory only once its admin consented.
    String app = "backfill.simulator.graph.apps.backfill";
    p.put(app + ".client-id", StackConfig.GRAPH_CLIENT_ID);
    p.put(app + ".client-secret", StackConfig.GRAPH_CLIENT_SECRET);
    p.put(app + ".redirect-uris", consentCallbackUrl());
    String contoso = "backfill.simulator.graph.tenants." + StackConfig.GRAPH_DIRECTORY;
    p.put(contoso + ".verified-domains", domainOf(config.mailbox));
    p.put(contoso + ".consented-apps", StackConfig.GRAPH_CLIENT_ID);
    String fabrikam = "backfill.simulator.graph.tenants." + StackConfig.OTHER_GRAPH_DIRECTORY;
    p.put(fabrikam + ".verified-domains", domainOf(StackConfig.OTHER_MAILBOX));
    String tailspin = "backfill.simulator.graph.tenants." + StackConfig.CONSENTING_GRAPH_DIRECTORY;
    p.put(tailspin + ".verified-domains", domainOf(StackConfig.CONSENTING_MAILBOX));
    p.put("backfill.simulator.llm.keys." + config.tenantId, config.llmApiKey);
    p.putAll(config.simulatorProperties);
    return p;
  }

  /**
   * What every service gets (the broker, the database, readable logs on loopback), then its own.
   */
  Map<String, String> service(
      Map<String, String> own, KafkaBrokerProcess kafka, PostgresServer postgres) {
    Map<String, String> p = new LinkedHashMap<>();
    p.put("quarkus.http.host", "127.0.0.1");
    p.put("quarkus.log.console.json.enabled", "false");
    p.put("kafka.bootstrap.servers", kafka.bootstrapServers());
    p.put("quarkus.datasource.jdbc.url", postgres.jdbcUrl(config.databaseName));
    p.put("quarkus.datasource.username", postgres.username());
    if (!postgres.password().isEmpty()) {
      p.put("quarkus.datasource.password", postgres.password());
    }
    p.putAll(own);
    p.putAll(config.serviceProperties);
    return p;
  }

  Map<String, String> fetcher() {
    Map<String, String> p = new LinkedHashMap<>();
    p.put("backfill.fetcher.worker-id", LocalStack.FETCHER + "." + ServiceNode.INCARNATION);
    consumerSessionTimeouts(p, "backfill-requests", "backfill-commands", "run-control");
    p.put("backfill.fetcher.heartbeat-interval", "2s");
    p.put("backfill.graph.base-url", simulatorUrl);
    // Every tenant's directory comes from the gateway (bound by consent); tokens from the
    // simulator's identity platform with the operator's app.
    p.put("backfill.graph.connections.source", "gateway");
    p.put("backfill.graph.connections.login-url", simulatorUrl);
    p.put("quarkus.oidc-client.auth-server-url", simulatorUrl + "/" + StackConfig.GRAPH_DIRECTORY);
    p.put("quarkus.oidc-client.client-id", StackConfig.GRAPH_CLIENT_ID);
    p.put("quarkus.oidc-client.credentials.client-secret.value", StackConfig.GRAPH_CLIENT_SECRET);
    return p;
  }

  Map<String, String> worker(String name) {
    Map<String, String> p = new LinkedHashMap<>();
    p.put("backfill.worker.worker-id", name + "." + ServiceNode.INCARNATION);
    consumerSessionTimeouts(p, "backfill-chunks", "run-control-retries");
    p.put("backfill.worker.heartbeat-interval", "2s");
    return p;
  }

  // Heartbeats every 2 s, stale after 10 s: five missed heartbeats, so a busy machine's hiccup is
  // not a death, and a killed process is noticed within seconds rather than the production 30 s.
  Map<String, String> monitor() {
    Map<String, String> p = new LinkedHashMap<>();
    p.put("backfill.monitor.fetch.stale-floor", "10s");
    p.put("backfill.monitor.extract.stale-floor", "10s");
    p.put("backfill.monitor.follow.stale-floor", "10s");
    p.put("backfill.monitor.retry.initial-delay", "1s");
    p.put("backfill.monitor.retry.max-delay", "5s");
    consumerSessionTimeouts(p, "run-events");
    return p;
  }

  Map<String, String> gateway(String monitorUrl) {
    Map<String, String> p = new LinkedHashMap<>();
    p.put("backfill.gateway.admin-token", config.adminToken);
    p.put("backfill.gateway.service-token", config.serviceToken);
    p.put("backfill.gateway.secrets.master-key", config.masterKey);
    p.put("backfill.gateway.ops.peers", monitorUrl);
    p.put("backfill.gateway.internal.host", "127.0.0.1");
    p.put("backfill.gateway.internal.port", String.valueOf(gatewayInternalPort));
    p.put("backfill.gateway.graph.login-url", simulatorUrl);
    p.put("backfill.gateway.graph.client-id", StackConfig.GRAPH_CLIENT_ID);
    // The consent callback proves a directory's consent with a token of this app.
    p.put("backfill.gateway.graph.client-secret", StackConfig.GRAPH_CLIENT_SECRET);
    p.put("backfill.gateway.graph.consent-redirect-uri", consentCallbackUrl());
    // Tenants store the simulator's URL as openai_base_url: its host is the one trusted.
    p.put("backfill.gateway.llm-egress.allowed-hosts", LocalStack.SIMULATOR_HOST);
    p.put("backfill.gateway.ops.lag-refresh-interval", "5s");
    // A restarted gateway's status view catches up in seconds, not after the killed process's
    // consumers have timed out (45 s each by default).
    consumerSessionTimeouts(p, "job-events", "run-events", "run-control", "extraction-results");
    return p;
  }

  /**
   * Settings of features a service build may not have yet, as environment variables: Quarkus
   * rejects an unknown {@code backfill.*} system property at start-up, but ignores an environment
   * variable that maps to nothing, so one stack runs builds from before and after the feature.
   */
  Map<String, String> forwardCompatibleEnvironment(String module) {
    Map<String, String> env = new LinkedHashMap<>();
    // The fetcher: the gateway serves each tenant's Graph connection when the source is "gateway";
    // the stack keeps "static" (every tenant on the simulator's one directory).
    if (module.equals(LocalStack.FETCHER)) {
      env.put("QUARKUS_REST_CLIENT_BACKFILL_GATEWAY_URL", gatewayInternalUrl());
      env.put("BACKFILL_SERVICE_TOKEN", config.serviceToken);
      env.put("BACKFILL_GRAPH_CONNECTIONS_SERVICE_TOKEN", config.serviceToken);
    }
    // The worker: LLM keys are each tenant's BYOK secret fetched from the gateway; calls go to the
    // simulator.
    if (module.equals(LocalStack.WORKER)) {
      env.put("BACKFILL_WORKER_CREDENTIALS_GATEWAY_URL", gatewayInternalUrl());
      // The simulator's LLM, plain http on a loopback address of its own, is the one host the
      // egress rules are told to trust; every other loopback address stays refused.
      env.put("BACKFILL_WORKER_LLM_EGRESS_ALLOWED_HOSTS", LocalStack.SIMULATOR_HOST);
      env.put("BACKFILL_WORKER_CREDENTIALS_SERVICE_TOKEN", config.serviceToken);
      env.put("BACKFILL_WORKER_LLM_BASE_URL", llmBaseUrl());
    }
    return env;
  }

  // A killed process's partitions of a shared group go to the others (or to its successor) only
  // when its session expires: 10 s here instead of Kafka's 45 s, so recovery shows in seconds.
  private static void consumerSessionTimeouts(Map<String, String> p, String... channels) {
    for (String channel : channels) {
      p.put("mp.messaging.incoming." + channel + ".session.timeout.ms", "10000");
      p.put("mp.messaging.incoming." + channel + ".heartbeat.interval.ms", "2000");
    }
  }

  private static String domainOf(String mailbox) {
    return mailbox.substring(mailbox.indexOf('@') + 1);
  }
}
