package io.backfill.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * docker-compose.yml checked without a Docker engine: what `docker compose up` would need to start
 * every container healthy and scrape every service.
 */
class ComposeFileTest {

  /** The Backfill applications in the compose file; their service name is their module. */
  static final List<String> APPLICATIONS =
      List.of(
          "api-gateway",
          "ingest-fetcher",
          "extraction-worker",
          "heartbeat-monitor",
          "outlook-simulator");

  /** Read by the image's run-java.sh, not by the application. */
  private static final Set<String> IMAGE_VARIABLES =
      Set.of("JAVA_MAX_MEM_RATIO", "JAVA_OPTS_APPEND");

  /** A variable compose refuses to start without: {@code ${VAR:?message}}. */
  private static final String REQUIRED_VARIABLE = "\\$\\{[A-Z0-9_]+:\\?[^}]+}";

  private static final Pattern CONFIG_PREFIX =
      Pattern.compile("@ConfigMapping\\(prefix = \"([a-z.\\-]+)\"\\)");

  private final JsonNode compose = Repository.yaml(Repository.file("docker-compose.yml"));
  private final JsonNode services = compose.get("services");

  @Test
  void everyServiceHasAHealthCheck() {
    services
        .properties()
        .iterator()
        .forEachRemaining(
            service ->
                assertThat(service.getValue().path("healthcheck").path("test").isMissingNode())
                    .as("%s has a healthcheck test", service.getKey())
                    .isFalse());
  }

  @Test
  void everyDependencyWaitsForAHealthyService() {
    services
        .properties()
        .iterator()
        .forEachRemaining(
            service ->
                service
                    .getValue()
                    .path("depends_on")
                    .properties()
                    .iterator()
                    .forEachRemaining(
                        dependency -> {
                          assertThat(dependency.getValue().path("condition").asText())
                              .as("%s depends on %s", service.getKey(), dependency.getKey())
                              .isEqualTo("service_healthy");
                          assertThat(services.has(dependency.getKey()))
                              .as("%s is a service", dependency.getKey())
                              .isTrue();
                        }));
    for (String application : List.of("api-gateway", "ingest-fetcher", "extraction-worker")) {
      assertThat(fieldNames(services.get(application).get("depends_on")))
          .as("%s waits for its broker and database", application)
          .contains("kafka", "postgres");
    }
  }

  @Test
  void applicationsAreBuiltFromTheirModulesDockerfileAndExposeTheirHttpPort() {
    for (String module : APPLICATIONS) {
      JsonNode service = services.get(module);
      assertThat(service).as("service %s", module).isNotNull();
      String context = service.path("build").path("context").asText();
      assertThat(context).isEqualTo("./" + module);
      assertThat(service.path("build").path("dockerfile").asText())
          .isEqualTo("src/main/docker/Dockerfile.jvm");
      assertThat(Repository.file(module + "/src/main/docker/Dockerfile.jvm")).isRegularFile();
      int port = Repository.httpPort(module);
      assertThat(Repository.read(Repository.file(module + "/src/main/docker/Dockerfile.jvm")))
          .as("%s Dockerfile exposes its port", module)
          .contains("EXPOSE " + port);
      assertThat(texts(service.get("ports"))).as("%s ports", module).contains(port + ":" + port);
      assertThat(texts(service.path("healthcheck").path("test")))
          .as("%s health check asks readiness on its own port", module)
          .anyMatch(part -> part.contains("localhost:" + port + "/q/health/ready"));
      assertThat(service.path("image").asText()).isEqualTo("backfill/" + module + ":local");
      // What the Dockerfile copies is what the Quarkus build lays out (fast-jar).
      for (String copied : List.of("lib", "app", "quarkus", "quarkus-run.jar")) {
        assertThat(Repository.file(module + "/target/quarkus-app/" + copied))
            .as("%s build output the image copies", module)
            .exists();
      }
    }
  }

  @Test
  void everyEnvironmentVariableIsOneTheServiceReadsAndEveryRequiredOneIsSet() {
    for (String module : APPLICATIONS) {
      Map<String, String> environment = environment(module);
      Map<String, Boolean> references = Repository.environmentReferences(module);
      Set<String> readable = new TreeSet<>(references.keySet());
      readable.addAll(Repository.environmentNamesOfKeys(module));
      readable.addAll(IMAGE_VARIABLES);
      for (String variable : environment.keySet()) {
        assertThat(readable.contains(variable) || isConfigMappingKey(module, variable))
            .as("%s reads %s (set in docker-compose.yml)", module, variable)
            .isTrue();
      }
      references.forEach(
          (variable, hasDefault) -> {
            if (!hasDefault) {
              assertThat(environment).as("%s needs %s", module, variable).containsKey(variable);
            }
          });
    }
    // Without these the gateway answers 401/503 on admin, internal and secret endpoints.
    assertThat(environment("api-gateway"))
        .containsKeys("BACKFILL_ADMIN_TOKEN", "BACKFILL_SERVICE_TOKEN", "BACKFILL_MASTER_KEY");
  }

  @Test
  void servicesReachTheBrokerAndDatabaseTheComposeFileRuns() {
    JsonNode kafka = services.get("kafka").get("environment");
    String advertised = kafka.get("KAFKA_ADVERTISED_LISTENERS").asText();
    Map<String, String> postgres = environment("postgres");
    String database = postgres.get("POSTGRES_DB");
    for (String module : List.of("api-gateway", "ingest-fetcher", "extraction-worker")) {
      Map<String, String> environment = environment(module);
      assertThat(advertised)
          .as("%s bootstrap servers are advertised by the broker", module)
          .contains("PLAINTEXT://" + environment.get("KAFKA_BOOTSTRAP_SERVERS"));
      assertThat(environment.get("BACKFILL_DB_URL"))
          .isEqualTo("jdbc:postgresql://postgres:5432/" + database);
      assertThat(environment.get("BACKFILL_DB_USER")).isEqualTo(postgres.get("POSTGRES_USER"));
      assertThat(environment.get("BACKFILL_DB_PASSWORD"))
          .isEqualTo(postgres.get("POSTGRES_PASSWORD"));
    }
    // The monitor has the shared service settings only; the worker adds its LLM settings.
    String internalApi = "http://api-gateway:" + gatewayInternalPort();
    Map<String, String> worker = new TreeMap<>(environment("extraction-worker"));
    assertThat(worker.remove("BACKFILL_WORKER_CREDENTIALS_GATEWAY_URL")).isEqualTo(internalApi);
    assertThat(worker.remove("BACKFILL_WORKER_CREDENTIALS_SERVICE_TOKEN"))
        .isEqualTo(environment("api-gateway").get("BACKFILL_SERVICE_TOKEN"));
    assertThat(worker.remove("BACKFILL_WORKER_LLM_BASE_URL"))
        .isEqualTo("http://outlook-simulator:" + Repository.httpPort("outlook-simulator") + "/v1");
    // The simulator's host is the one the egress rules trust, in the worker and the gateway alike.
    assertThat(worker.remove("BACKFILL_WORKER_LLM_EGRESS_ALLOWED_HOSTS"))
        .isEqualTo("outlook-simulator")
        .isEqualTo(environment("api-gateway").get("BACKFILL_GATEWAY_LLM_EGRESS_ALLOWED_HOSTS"));
    assertThat(environment("heartbeat-monitor")).isEqualTo(worker);
    // The fetcher calls the gateway's internal port with the token the gateway accepts.
    Map<String, String> fetcher = environment("ingest-fetcher");
    assertThat(fetcher.get("BACKFILL_GATEWAY_URL")).isEqualTo(internalApi);
    assertThat(fetcher.get("BACKFILL_SERVICE_TOKEN"))
        .isEqualTo(environment("api-gateway").get("BACKFILL_SERVICE_TOKEN"));
    assertThat(services.get("postgres").get("image").asText()).startsWith("pgvector/pgvector:");
    assertThat(services.get("kafka").get("image").asText()).startsWith("apache/kafka:4.");
    assertThat(kafka.get("KAFKA_PROCESS_ROLES").asText()).isEqualTo("broker,controller");
    assertThat(texts(services.get("kafka-exporter").get("command")))
        .contains("--kafka.server=" + environment("api-gateway").get("KAFKA_BOOTSTRAP_SERVERS"));
    assertThat(texts(services.get("outlook-simulator").get("profiles"))).containsExactly("demo");
  }

  @Test
  void noSecretHasADefaultEachMustComeFromTheOperatorsEnvFile() {
    services
        .properties()
        .iterator()
        .forEachRemaining(
            service ->
                service
                    .getValue()
                    .path("environment")
                    .properties()
                    .forEach(
                        variable -> {
                          if (variable.getKey().matches(KubernetesManifestsTest.SECRET_NAME)) {
                            assertThat(variable.getValue().asText())
                                .as("%s %s", service.getKey(), variable.getKey())
                                .matches(REQUIRED_VARIABLE);
                          }
                        }));
    // Nor a default written anywhere else in the file (an anchor, a command line).
    Matcher defaults =
        Pattern.compile("\\$\\{([A-Z0-9_]+):?-")
            .matcher(Repository.read(Repository.file("docker-compose.yml")));
    while (defaults.find()) {
      assertThat(defaults.group(1))
          .as("a default for %s", defaults.group(1))
          .doesNotMatch(KubernetesManifestsTest.SECRET_NAME);
    }
  }

  @Test
  void theGatewayChecksConsentWithTheFetchersAppAtTheFetchersIdentityPlatform() {
    Map<String, String> gateway = environment("api-gateway");
    Map<String, String> fetcher = environment("ingest-fetcher");
    // A directory counts as consented when the identity platform the fetcher signs in at issues
    // the fetcher's app a token for it.
    assertThat(gateway.get("BACKFILL_GATEWAY_GRAPH_CLIENT_ID"))
        .isEqualTo(fetcher.get("BACKFILL_GRAPH_CLIENT_ID"));
    assertThat(gateway.get("BACKFILL_GATEWAY_GRAPH_CLIENT_SECRET"))
        .isNotNull()
        .isEqualTo(fetcher.get("BACKFILL_GRAPH_CLIENT_SECRET"));
    assertThat(gateway.get("BACKFILL_GATEWAY_GRAPH_LOGIN_URL"))
        .isNotNull()
        .isEqualTo(fetcher.get("BACKFILL_GRAPH_LOGIN_URL"));
  }

  @Test
  void onlyTheGatewayHoldsTheMasterKeyAndTheAdminToken() {
    for (String module : APPLICATIONS) {
      if (module.equals("api-gateway")) {
        continue;
      }
      for (var variable : services.get(module).path("environment").properties()) {
        assertThat(variable.getKey())
            .as("%s environment", module)
            .doesNotContain("MASTER_KEY", "ADMIN_TOKEN");
        assertThat(variable.getValue().asText())
            .as("%s %s", module, variable.getKey())
            .doesNotContain("BACKFILL_MASTER_KEY", "BACKFILL_ADMIN_TOKEN");
      }
    }
    assertThat(environment("heartbeat-monitor").keySet())
        .as("the monitor needs no secret but its database password")
        .allMatch(
            name ->
                !name.matches(KubernetesManifestsTest.SECRET_NAME)
                    || name.equals("BACKFILL_DB_PASSWORD"));
  }

  @Test
  void theGatewaysInternalPortIsReachableOnTheComposeNetworkOnly() {
    int internal = gatewayInternalPort();
    assertThat(internal).isNotEqualTo(Repository.httpPort("api-gateway"));
    assertThat(texts(services.get("api-gateway").get("ports")))
        .as("the internal port is not published on the host")
        .noneMatch(mapping -> mapping.endsWith(":" + internal));
    // Production refuses "static": each tenant's directory comes from the gateway.
    assertThat(environment("ingest-fetcher"))
        .containsEntry("BACKFILL_GRAPH_CONNECTIONS", "gateway");
  }

  @Test
  void everyMountedFileExistsAndEveryNamedVolumeIsDeclared() {
    Set<String> declared = fieldNames(compose.get("volumes"));
    services
        .properties()
        .iterator()
        .forEachRemaining(
            service -> {
              for (String volume : texts(service.getValue().get("volumes"))) {
                String source = volume.split(":")[0];
                if (source.startsWith("./")) {
                  assertThat(Files.exists(Repository.file(source.substring(2))))
                      .as("%s mounts %s", service.getKey(), source)
                      .isTrue();
                } else {
                  assertThat(declared).as("named volume of %s", service.getKey()).contains(source);
                }
              }
            });
  }

  @Test
  void prometheusScrapesEveryServiceByItsComposeNameAndPort() {
    JsonNode prometheus = Repository.yaml(Repository.file("deploy/prometheus/prometheus.yml"));
    Map<String, String> targets = new TreeMap<>();
    for (JsonNode job : prometheus.get("scrape_configs")) {
      for (JsonNode config : job.path("static_configs")) {
        for (JsonNode target : config.get("targets")) {
          targets.put(job.get("job_name").asText(), target.asText());
          String host = target.asText().split(":")[0];
          if (!host.equals("localhost")) {
            assertThat(services.has(host)).as("target %s is a compose service", target).isTrue();
            String port = target.asText().split(":")[1];
            assertThat(texts(services.get(host).get("ports")))
                .as("%s listens on %s", host, port)
                .anyMatch(mapping -> mapping.endsWith(":" + port));
          }
        }
      }
      if (APPLICATIONS.contains(job.get("job_name").asText())) {
        assertThat(job.path("metrics_path").asText()).isEqualTo("/q/metrics");
      }
    }
    for (String module : APPLICATIONS) {
      assertThat(targets).containsEntry(module, module + ":" + Repository.httpPort(module));
    }
    assertThat(targets).containsEntry("kafka-exporter", "kafka-exporter:9308");
    assertThat(texts(services.get("prometheus").get("volumes")))
        .contains("./deploy/prometheus/prometheus.yml:/etc/prometheus/prometheus.yml:ro");
  }

  @Test
  void grafanaIsProvisionedWithTheDatasourcesTheDashboardsUse() throws Exception {
    JsonNode datasources =
        Repository.yaml(Repository.file("deploy/grafana/provisioning/datasources/datasources.yml"));
    Map<String, String> typesByUid = new TreeMap<>();
    for (JsonNode datasource : datasources.get("datasources")) {
      typesByUid.put(datasource.get("uid").asText(), datasource.get("type").asText());
    }
    assertThat(datasources.get("datasources").get(0).get("url").asText())
        .isEqualTo("http://prometheus:9090");
    Set<String> dashboardUids = new TreeSet<>();
    for (var path : Dashboards.files()) {
      JsonNode dashboard = Repository.json(path);
      assertThat(dashboard.path("uid").asText()).as("%s uid", path).isNotBlank();
      assertThat(dashboard.path("version").asInt()).as("%s version", path).isPositive();
      assertThat(dashboardUids.add(dashboard.get("uid").asText())).as("unique uid").isTrue();
      for (JsonNode panel : dashboard.get("panels")) {
        JsonNode datasource = panel.get("datasource");
        assertThat(typesByUid)
            .as("%s / %s datasource", path.getFileName(), panel.get("title").asText())
            .containsEntry(datasource.get("uid").asText(), datasource.get("type").asText());
        for (JsonNode target : panel.get("targets")) {
          assertThat(target.get("datasource")).isEqualTo(datasource);
        }
      }
    }
    assertThat(dashboardUids)
        .containsExactlyInAnyOrder(
            "backfill-pipeline",
            "backfill-consumer-lag",
            "backfill-liveness",
            "backfill-external-calls",
            "backfill-fleet");
    // The Postgres datasource reads its credentials from Grafana's environment.
    Map<String, String> grafana = environmentOf(services.get("grafana"));
    assertThat(grafana).containsKeys("BACKFILL_DB_USER", "BACKFILL_DB_PASSWORD");
  }

  /** A key under a @ConfigMapping prefix of the module whose property method exists. */
  static boolean isConfigMappingKey(String module, String variable) {
    String source = Repository.mainSource(module);
    Matcher prefixes = CONFIG_PREFIX.matcher(source);
    while (prefixes.find()) {
      String prefix = prefixes.group(1).toUpperCase().replaceAll("[^A-Z0-9]", "_") + "_";
      if (variable.startsWith(prefix)) {
        String[] words = variable.substring(prefix.length()).toLowerCase().split("_");
        StringBuilder method = new StringBuilder(words[0]);
        for (int i = 1; i < words.length; i++) {
          method.append(Character.toUpperCase(words[i].charAt(0))).append(words[i].substring(1));
        }
        if (source.contains(" " + method + "()")) {
          return true;
        }
      }
    }
    return false;
  }

  private int gatewayInternalPort() {
    String port = environment("api-gateway").get("BACKFILL_GATEWAY_INTERNAL_PORT");
    assertThat(port).as("the gateway's internal port is set").isNotNull();
    return Integer.parseInt(port);
  }

  private Map<String, String> environment(String service) {
    return environmentOf(services.get(service));
  }

  private static Map<String, String> environmentOf(JsonNode service) {
    Map<String, String> environment = new HashMap<>();
    service
        .path("environment")
        .properties()
        .iterator()
        .forEachRemaining(entry -> environment.put(entry.getKey(), entry.getValue().asText()));
    // ${VAR:-default} is what compose runs with when VAR is not exported; ${VAR:?message} is
    // whatever the operator set VAR to, the same wherever it is used.
    environment.replaceAll(
        (key, value) ->
            value
                .replaceAll("\\$\\{([A-Z0-9_]+):\\?[^}]*}", "\\${$1}")
                .replaceAll("\\$\\{[A-Z0-9_]+:-([^}]*)}", "$1"));
    return environment;
  }

  private static Set<String> fieldNames(JsonNode node) {
    Set<String> names = new TreeSet<>();
    if (node != null) {
      node.fieldNames().forEachRemaining(names::add);
    }
    return names;
  }

  private static List<String> texts(JsonNode node) {
    List<String> texts = new ArrayList<>();
    if (node != null) {
      node.forEach(item -> texts.add(item.asText()));
    }
    return texts;
  }
}
