package io.backfill.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.backfill.contracts.topic.Topics;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** deploy/k8s rendered (base, production overlay, HPA alternative) and checked object by object. */
class KubernetesManifestsTest {

  static final List<String> SERVICES = RunningStack.SERVICES;

  private static List<ObjectNode> render(String directory) {
    return Kustomization.render(Repository.file("deploy/k8s/" + directory));
  }

  private static List<ObjectNode> ofKind(List<ObjectNode> objects, String kind) {
    return objects.stream().filter(o -> o.get("kind").asText().equals(kind)).toList();
  }

  @ParameterizedTest
  @ValueSource(strings = {"base", "overlays/production", "scaling-hpa"})
  void everyServiceRunsWithHealthProbesOnItsPortResourcesAndRollingUpdates(String directory) {
    List<ObjectNode> objects = render(directory);
    assertThat(ofKind(objects, "Deployment").stream().map(Kustomization::name))
        .containsExactlyInAnyOrderElementsOf(SERVICES);
    for (ObjectNode deployment : ofKind(objects, "Deployment")) {
      String module = Kustomization.name(deployment);
      JsonNode container = deployment.at("/spec/template/spec/containers/0");
      assertThat(deployment.at("/spec/template/spec/containers").size()).isEqualTo(1);
      assertThat(container.at("/ports/0/name").asText()).isEqualTo("http");
      assertThat(container.at("/ports/0/containerPort").asInt())
          .as("%s container port", module)
          .isEqualTo(Repository.httpPort(module));
      assertThat(container.at("/livenessProbe/httpGet/path").asText()).isEqualTo("/q/health/live");
      assertThat(container.at("/readinessProbe/httpGet/path").asText())
          .isEqualTo("/q/health/ready");
      assertThat(container.at("/livenessProbe/httpGet/port").asText()).isEqualTo("http");
      assertThat(container.at("/readinessProbe/httpGet/port").asText()).isEqualTo("http");
      assertThat(deployment.at("/spec/template/metadata/annotations/prometheus.io~1port").asText())
          .isEqualTo(String.valueOf(Repository.httpPort(module)));
      for (String resource : List.of("cpu", "memory")) {
        BigDecimal request = quantity(container.at("/resources/requests/" + resource));
        BigDecimal limit = quantity(container.at("/resources/limits/" + resource));
        assertThat(request).as("%s %s request", module, resource).isPositive();
        assertThat(limit).as("%s %s limit", module, resource).isGreaterThanOrEqualTo(request);
      }
      assertThat(deployment.at("/spec/strategy/type").asText()).isEqualTo("RollingUpdate");
      assertThat(deployment.at("/spec/strategy/rollingUpdate/maxUnavailable").asInt())
          .as("%s never drops below its wanted replicas while rolling", module)
          .isZero();
      assertThat(labels(deployment.at("/spec/template/metadata/labels")))
          .as("%s selector matches its pods", module)
          .containsAllEntriesOf(labels(deployment.at("/spec/selector/matchLabels")));
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"base", "overlays/production", "scaling-hpa"})
  void servicesAndDisruptionBudgetsSelectTheirDeploymentsPods(String directory) {
    List<ObjectNode> objects = render(directory);
    for (ObjectNode service : ofKind(objects, "Service")) {
      ObjectNode deployment = onlyMatch(objects, service.at("/spec/selector"));
      assertThat(Kustomization.name(deployment)).isEqualTo(Kustomization.name(service));
      assertThat(service.at("/spec/ports/0/targetPort").asText()).isEqualTo("http");
      assertThat(service.at("/spec/ports/0/port").asInt())
          .isEqualTo(Repository.httpPort(Kustomization.name(service)));
    }
    List<ObjectNode> budgets = ofKind(objects, "PodDisruptionBudget");
    assertThat(budgets.stream().map(Kustomization::name))
        .containsExactlyInAnyOrderElementsOf(SERVICES);
    for (ObjectNode budget : budgets) {
      ObjectNode deployment = onlyMatch(objects, budget.at("/spec/selector/matchLabels"));
      // One replica and maxUnavailable 1 would let a drain take the service away entirely.
      assertThat(deployment.at("/spec/replicas").asInt()).isGreaterThanOrEqualTo(2);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"base", "overlays/production", "scaling-hpa"})
  void configurationComesFromAConfigMapAndASecretWithKeysTheServicesRead(String directory) {
    List<ObjectNode> objects = render(directory);
    Set<String> readable = new TreeSet<>();
    for (String module : SERVICES) {
      readable.addAll(Repository.environmentReferences(module).keySet());
      readable.addAll(Repository.environmentNamesOfKeys(module));
    }
    readable.add("JAVA_MAX_MEM_RATIO");
    ObjectNode config = Kustomization.find(objects, "ConfigMap", "backfill-config");
    ObjectNode secret = Kustomization.find(objects, "Secret", "backfill-secrets");
    assertThat(config).isNotNull();
    assertThat(secret).isNotNull();
    Set<String> keys = new TreeSet<>();
    config.get("data").fieldNames().forEachRemaining(keys::add);
    secret.get("stringData").fieldNames().forEachRemaining(keys::add);
    assertThat(readable).containsAll(keys);
    assertThat(keys)
        .contains(
            "KAFKA_BOOTSTRAP_SERVERS",
            "BACKFILL_DB_URL",
            "BACKFILL_DB_USER",
            "BACKFILL_DB_PASSWORD",
            "BACKFILL_ADMIN_TOKEN",
            "BACKFILL_SERVICE_TOKEN",
            "BACKFILL_MASTER_KEY");
    assertThat(config.at("/data/BACKFILL_GATEWAY_URL").asText())
        .as("the fetcher reaches the gateway's Service")
        .isEqualTo("http://api-gateway:" + Repository.httpPort("api-gateway"));
    assertThat(Kustomization.find(objects, "Service", "api-gateway")).isNotNull();
    for (ObjectNode deployment : ofKind(objects, "Deployment")) {
      assertThat(deployment.at("/spec/template/spec/containers/0/envFrom").toString())
          .contains("\"configMapRef\":{\"name\":\"backfill-config\"}")
          .contains("\"secretRef\":{\"name\":\"backfill-secrets\"}");
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"base", "overlays/production"})
  void kedaScalesTheWorkerOnItsGroupsLagOnBackfillChunks(String directory) {
    List<ObjectNode> objects = render(directory);
    List<ObjectNode> scaled = ofKind(objects, "ScaledObject");
    assertThat(scaled).hasSize(1);
    JsonNode scaledObject = scaled.get(0);
    assertThat(scaledObject.at("/spec/scaleTargetRef/name").asText())
        .isEqualTo("extraction-worker");
    assertThat(Kustomization.find(objects, "Deployment", "extraction-worker")).isNotNull();
    JsonNode trigger = scaledObject.at("/spec/triggers/0");
    Map<String, String> worker = Repository.applicationProperties("extraction-worker");
    assertThat(trigger.get("type").asText()).isEqualTo("kafka");
    assertThat(trigger.at("/metadata/topic").asText())
        .isEqualTo(worker.get("mp.messaging.incoming.backfill-chunks.topic"))
        .isEqualTo(Topics.BACKFILL_CHUNKS);
    assertThat(trigger.at("/metadata/consumerGroup").asText())
        .isEqualTo(worker.get("mp.messaging.incoming.backfill-chunks.group.id"));
    assertThat(trigger.at("/metadata/bootstrapServers").asText())
        .isEqualTo(
            Kustomization.find(objects, "ConfigMap", "backfill-config")
                .at("/data/KAFKA_BOOTSTRAP_SERVERS")
                .asText());
    // More consumers than partitions would sit idle.
    assertThat(scaledObject.at("/spec/maxReplicaCount").asInt())
        .isLessThanOrEqualTo(Topics.CHUNKS.partitions());
    assertThat(ofKind(objects, "HorizontalPodAutoscaler")).isEmpty();
  }

  @Test
  void theHpaAlternativeScalesTheWorkerWithoutKeda() {
    List<ObjectNode> objects = render("scaling-hpa");
    assertThat(ofKind(objects, "ScaledObject")).isEmpty();
    List<ObjectNode> hpas = ofKind(objects, "HorizontalPodAutoscaler");
    assertThat(hpas).hasSize(1);
    assertThat(hpas.get(0).at("/spec/scaleTargetRef/name").asText()).isEqualTo("extraction-worker");
    assertThat(hpas.get(0).at("/spec/maxReplicas").asInt())
        .isLessThanOrEqualTo(Topics.CHUNKS.partitions());
    // Utilization targets need requests to be measured against.
    assertThat(
            Kustomization.find(objects, "Deployment", "extraction-worker")
                .at("/spec/template/spec/containers/0/resources/requests/cpu")
                .isMissingNode())
        .isFalse();
  }

  @Test
  void productionPinsImagesInItsNamespaceAndKeepsSelectorsStable() {
    List<ObjectNode> base = render("base");
    List<ObjectNode> production = render("overlays/production");
    for (ObjectNode object : production) {
      assertThat(object.at("/metadata/namespace").asText()).isEqualTo("backfill");
    }
    for (ObjectNode deployment : ofKind(production, "Deployment")) {
      String module = Kustomization.name(deployment);
      assertThat(deployment.at("/spec/template/spec/containers/0/image").asText())
          .matches("registry\\.example\\.com/backfill/" + module + ":[0-9][^:]*");
      // Selectors are immutable on a Deployment: an overlay that changed them could not roll.
      assertThat(deployment.at("/spec/selector"))
          .isEqualTo(Kustomization.find(base, "Deployment", module).at("/spec/selector"));
      assertThat(
              deployment.at("/spec/template/metadata/labels/app.kubernetes.io~1instance").asText())
          .isEqualTo("backfill-production");
    }
    assertThat(
            Kustomization.find(production, "Deployment", "extraction-worker")
                .at("/spec/template/spec/containers/0/resources/limits/memory")
                .asText())
        .isEqualTo("2Gi");
  }

  @ParameterizedTest
  @ValueSource(strings = {"base", "overlays/production", "scaling-hpa"})
  void theRenderIsWhatKubectlKustomizeRenders(String directory) throws Exception {
    Path kubectl = Path.of("/usr/bin/kubectl");
    Assumptions.assumeTrue(
        Files.isExecutable(kubectl),
        "SKIPPED: kubectl is not installed; the Java render was not compared with kustomize's");
    Path output = Files.createTempFile("kustomize-", ".yaml");
    try {
      Process process =
          new ProcessBuilder(
                  kubectl.toString(), "kustomize", k8sDirectory().resolve(directory).toString())
              .redirectOutput(output.toFile())
              .redirectError(ProcessBuilder.Redirect.INHERIT)
              .start();
      assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("kubectl kustomize finished").isTrue();
      assertThat(process.exitValue()).isZero();
      assertThat(render(directory))
          .containsExactlyInAnyOrderElementsOf(
              Repository.yamlDocuments(output).stream().map(ObjectNode.class::cast).toList());
    } finally {
      Files.deleteIfExists(output);
    }
  }

  private static ObjectNode onlyMatch(List<ObjectNode> objects, JsonNode selector) {
    Map<String, String> wanted = labels(selector);
    List<ObjectNode> matches =
        ofKind(objects, "Deployment").stream()
            .filter(
                d ->
                    labels(d.at("/spec/template/metadata/labels"))
                        .entrySet()
                        .containsAll(wanted.entrySet()))
            .toList();
    assertThat(matches).as("deployments selected by %s", wanted).hasSize(1);
    return matches.get(0);
  }

  private static Map<String, String> labels(JsonNode node) {
    Map<String, String> labels = new HashMap<>();
    node.properties().forEach(e -> labels.put(e.getKey(), e.getValue().asText()));
    return labels;
  }

  /** A Kubernetes quantity in base units (cores, bytes). */
  static BigDecimal quantity(JsonNode node) {
    String text = node.asText();
    Map<String, BigDecimal> suffixes =
        Map.of(
            "m", new BigDecimal("0.001"),
            "Ki", BigDecimal.valueOf(1024L),
            "Mi", BigDecimal.valueOf(1024L * 1024),
            "Gi", BigDecimal.valueOf(1024L * 1024 * 1024));
    for (var suffix : suffixes.entrySet()) {
      if (text.endsWith(suffix.getKey())) {
        return new BigDecimal(text.substring(0, text.length() - suffix.getKey().length()))
            .multiply(suffix.getValue());
      }
    }
    return new BigDecimal(text);
  }

  static Path k8sDirectory() {
    return Repository.file("deploy/k8s");
  }
}
