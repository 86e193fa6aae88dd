package io.backfill.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.jboss.logging.Logger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * No dead panels and no alert on a name nobody exports: the four services and the simulator run
 * from their built jars, one real backfill goes through them (gateway → fetcher → Graph simulator →
 * worker → monitor → gateway), and every metric a Grafana panel or an alert rule uses must be in
 * what the services' /q/metrics then export. Then a real Prometheus (Debian's package) scrapes them
 * and answers every dashboard query with data.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DashboardsAndAlertsUseExportedMetricsTest {

  private static final Logger LOG =
      Logger.getLogger(DashboardsAndAlertsUseExportedMetricsTest.class);

  /**
   * Counters registered on their first event, which a healthy backfill never has: they are exported
   * once a heartbeat fails, an attempt times out or stalls, a retry is scheduled, a run is
   * exhausted, stopped or fenced, an event is redelivered, or a transient failure is retried. The
   * panels and alerts on them are right (no data = none happened, shown as "0 (none so far)"); the
   * services should register them eagerly (deploy/README.md). Each must still be a name the
   * module's code registers, so a rename fails here.
   */
  static final Map<String, String> REGISTERED_ON_FIRST_EVENT =
      Map.ofEntries(
          Map.entry("backfill_worker_heartbeat_failures_total", "extraction-worker"),
          Map.entry("backfill_ledger_timeouts_total", "heartbeat-monitor"),
          Map.entry("backfill_ledger_stalls_total", "heartbeat-monitor"),
          Map.entry("backfill_ledger_retries_scheduled_total", "heartbeat-monitor"),
          Map.entry("backfill_ledger_retries_due_total", "heartbeat-monitor"),
          Map.entry("backfill_ledger_retries_deduped_total", "heartbeat-monitor"),
          Map.entry("backfill_ledger_runs_exhausted_total", "heartbeat-monitor"),
          Map.entry("backfill_ledger_fenced_events_total", "heartbeat-monitor"),
          Map.entry("backfill_ledger_duplicate_events_total", "heartbeat-monitor"),
          Map.entry("backfill_ledger_ingest_retries_total", "heartbeat-monitor"),
          Map.entry("backfill_ledger_ingest_failures_total", "heartbeat-monitor"),
          Map.entry("backfill_ledger_runs_stopped_total", "heartbeat-monitor"),
          Map.entry("backfill_fetcher_transient_retries_total", "ingest-fetcher"));

  /** Made by Prometheus itself for every target. */
  private static final Set<String> SYNTHETIC = Set.of("up");

  private RunningStack stack;
  private final Map<String, Set<String>> exported = new TreeMap<>();

  @BeforeAll
  void startTheServicesAndBackfillOneMailbox() {
    stack = RunningStack.start();
    stack.backfillOneMailbox();
    // The gateway's lag gauges and the ledger's roll-up follow the job by a refresh or two.
    await("lag gauges and job roll-up exported")
        .atMost(Duration.ofMinutes(1))
        .pollInterval(Duration.ofSeconds(1))
        .until(
            () ->
                RunningStack.sampleNames(stack.scrape("api-gateway"))
                        .contains("kafka_consumergroup_lag")
                    && RunningStack.sampleNames(stack.scrape("heartbeat-monitor"))
                        .contains("backfill_ledger_jobs_ended_total"));
    for (String name : stack.processes().keySet()) {
      exported.put(name, RunningStack.sampleNames(stack.scrape(name)));
    }
  }

  @AfterAll
  void stopTheServices() {
    if (stack != null) {
      stack.close();
    }
  }

  @Test
  @Order(1)
  void fleetPanelsFindEveryExecutorInstanceInTheGatewayReadModel() throws Exception {
    List<Dashboards.Query> sqlQueries =
        Dashboards.queries().stream()
            .filter(q -> q.datasourceType().equals("grafana-postgresql-datasource"))
            .toList();
    assertThat(sqlQueries).isNotEmpty();
    try (Connection connection =
            DriverManager.getConnection(
                stack.database().jdbcUrl(),
                stack.database().username(),
                stack.database().password());
        Statement statement = connection.createStatement()) {
      for (Dashboards.Query query : sqlQueries) {
        Set<String> services = new TreeSet<>();
        try (ResultSet rows = statement.executeQuery(query.text())) {
          while (rows.next()) {
            services.add(rows.getString("service"));
          }
        }
        assertThat(services)
            .as("%s / %s", query.dashboard(), query.panel())
            .contains("ingest-fetcher", "extraction-worker");
      }
    }
  }

  @Test
  @Order(2)
  void everyMetricAGrafanaPanelQueriesIsExportedByARunningService() {
    List<String> missing = new ArrayList<>();
    for (Dashboards.Query query : Dashboards.queries()) {
      if (query.datasourceType().equals("prometheus")) {
        PromQl.metricNames(query.text()).stream()
            .filter(name -> !isExported(name))
            .forEach(name -> missing.add(query.dashboard() + " / " + query.panel() + ": " + name));
      }
    }
    assertThat(missing).as("panel metrics no running service exports").isEmpty();
  }

  @Test
  @Order(3)
  void everyMetricAnAlertRuleUsesIsExportedByARunningService() {
    List<String> missing = new ArrayList<>();
    for (JsonNode rule : alertRules()) {
      PromQl.metricNames(rule.get("expr").asText()).stream()
          .filter(name -> !isExported(name))
          .forEach(name -> missing.add(rule.get("alert").asText() + ": " + name));
    }
    assertThat(alertRules()).hasSizeGreaterThanOrEqualTo(7);
    assertThat(missing).as("alert metrics no running service exports").isEmpty();
  }

  @Test
  @Order(4)
  void aRealPrometheusScrapesTheServicesAndEveryDashboardQueryReturnsData() {
    Assumptions.assumeTrue(
        PrometheusServer.binaryInstalled(),
        "SKIPPED: Debian's prometheus binary is not installed (apt-get install prometheus; .ci/run"
            + " does it). The real-Prometheus check did not run.");
    try (PrometheusServer prometheus = PrometheusServer.start(stack)) {
      await("Prometheus scraped every service and the gateway's lag")
          .atMost(Duration.ofMinutes(1))
          .pollInterval(Duration.ofSeconds(1))
          .until(
              // Rates need two samples: three scrapes of every target in the last minute.
              () ->
                  prometheus.query("up == 1").size() == stack.processes().size()
                      && prometheus.query("count_over_time(up[1m]) >= 3").size()
                          == stack.processes().size()
                      && !prometheus.query("kafka_consumergroup_lag").isEmpty()
                      && !prometheus.query("rate(backfill_worker_messages_total[1m])").isEmpty());
      assertThat(
              prometheus
                  .query("sum(backfill_worker_messages_total)")
                  .get(0)
                  .at("/value/1")
                  .asDouble())
          .as("messages extracted by the backfill")
          .isEqualTo(250.0);
      assertThat(
              prometheus
                  .query("sum(backfill_fetcher_messages_published_total)")
                  .get(0)
                  .at("/value/1")
                  .asDouble())
          .isEqualTo(250.0);
      assertThat(
              prometheus.query(
                  "kafka_consumergroup_lag{consumergroup=\"extraction-worker\",topic=\"backfill.chunks\"}"))
          .isNotEmpty();
      List<String> empty = new ArrayList<>();
      for (Dashboards.Query query : Dashboards.queries()) {
        if (!query.datasourceType().equals("prometheus") || onlyFailureMeters(query.text())) {
          continue;
        }
        String expression = query.text().replace("$__rate_interval", "1m").replace("$group", ".*");
        if (prometheus.query(expression).isEmpty()) {
          empty.add(query.dashboard() + " / " + query.panel() + ": " + expression);
        }
      }
      assertThat(empty).as("dashboard queries with no data in a real Prometheus").isEmpty();
      // The rules load and evaluate against the real series without errors.
      await("every alert rule evaluated")
          .atMost(Duration.ofSeconds(30))
          .pollInterval(Duration.ofSeconds(1))
          .untilAsserted(
              () ->
                  assertThat(prometheus.ruleHealth())
                      .hasSizeGreaterThanOrEqualTo(7)
                      .allSatisfy((rule, health) -> assertThat(health).as(rule).isEqualTo("ok")));
    }
  }

  private boolean isExported(String name) {
    if (SYNTHETIC.contains(name)) {
      return true;
    }
    if (exported.values().stream().anyMatch(names -> names.contains(name))) {
      return true;
    }
    String module = REGISTERED_ON_FIRST_EVENT.get(name);
    if (module != null && Repository.mainSource(module).contains("\"" + name + "\"")) {
      LOG.infof("%s is registered by %s on its first failure only", name, module);
      return true;
    }
    return false;
  }

  private static boolean onlyFailureMeters(String expression) {
    return REGISTERED_ON_FIRST_EVENT.keySet().containsAll(PromQl.metricNames(expression));
  }

  static List<JsonNode> alertRules() {
    List<JsonNode> rules = new ArrayList<>();
    JsonNode file = Repository.yaml(Repository.file("deploy/prometheus/rules/backfill-alerts.yml"));
    for (JsonNode group : file.get("groups")) {
      group.get("rules").forEach(rules::add);
    }
    return rules;
  }
}
