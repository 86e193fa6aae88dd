package io.backfill.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Answers "may a pod with these labels open this port of that pod?" the way Kubernetes applies
 * ingress NetworkPolicies, for the features deploy/k8s uses: policies select pods by matchLabels,
 * rules name ports by number and sources by podSelector matchLabels (same namespace). A pod no
 * policy selects accepts everything; a selected pod accepts only what one rule allows. Anything
 * else in a policy (matchExpressions, namespaceSelector, ipBlock, named or ranged ports) fails the
 * check, so a new feature cannot be silently ignored.
 */
final class NetworkPolicies {

  /** A source outside the namespace or the cluster (an ingress controller, a client): no labels. */
  static final Map<String, String> OUTSIDE = Map.of();

  private NetworkPolicies() {}

  /** The policies among {@code objects} that select a pod with these labels. */
  static List<ObjectNode> selecting(List<ObjectNode> objects, Map<String, String> podLabels) {
    return objects.stream()
        .filter(o -> o.get("kind").asText().equals("NetworkPolicy"))
        .filter(policy -> matches(policy.at("/spec/podSelector"), podLabels))
        .toList();
  }

  /** Whether a pod labelled {@code source} may connect to {@code port} of a pod labelled target. */
  static boolean allows(
      List<ObjectNode> objects, Map<String, String> source, Map<String, String> target, int port) {
    List<ObjectNode> policies = selecting(objects, target);
    if (policies.stream().noneMatch(NetworkPolicies::governsIngress)) {
      return true;
    }
    for (ObjectNode policy : policies) {
      for (JsonNode rule : policy.at("/spec/ingress")) {
        if (portMatches(rule.path("ports"), port) && sourceMatches(rule.path("from"), source)) {
          return true;
        }
      }
    }
    return false;
  }

  private static boolean governsIngress(ObjectNode policy) {
    JsonNode types = policy.at("/spec/policyTypes");
    if (types.isMissingNode()) {
      return true;
    }
    for (JsonNode type : types) {
      if (type.asText().equals("Ingress")) {
        return true;
      }
    }
    return false;
  }

  private static boolean portMatches(JsonNode ports, int port) {
    if (ports.isMissingNode() || ports.isEmpty()) {
      return true;
    }
    for (JsonNode entry : ports) {
      if (!entry.path("port").isInt() || entry.has("endPort")) {
        throw new IllegalArgumentException("only numeric single ports are evaluated: " + entry);
      }
      if (!entry.path("protocol").asText("TCP").equals("TCP")) {
        continue;
      }
      if (entry.get("port").asInt() == port) {
        return true;
      }
    }
    return false;
  }

  private static boolean sourceMatches(JsonNode from, Map<String, String> source) {
    if (from.isMissingNode() || from.isEmpty()) {
      return true;
    }
    for (JsonNode peer : from) {
      if (peer.has("namespaceSelector") || peer.has("ipBlock") || !peer.has("podSelector")) {
        throw new IllegalArgumentException("only podSelector peers are evaluated: " + peer);
      }
      if (matches(peer.get("podSelector"), source)) {
        return true;
      }
    }
    return false;
  }

  /** A label selector with matchLabels only; an empty selector selects every pod. */
  private static boolean matches(JsonNode selector, Map<String, String> labels) {
    if (selector.has("matchExpressions")) {
      throw new IllegalArgumentException("matchExpressions are not evaluated: " + selector);
    }
    Map<String, String> wanted = new HashMap<>();
    selector
        .path("matchLabels")
        .properties()
        .forEach(e -> wanted.put(e.getKey(), e.getValue().asText()));
    return labels.entrySet().containsAll(wanted.entrySet());
  }
}
