package io.backfill.stack;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** What a running node's HTTP endpoints tell: readiness, Prometheus metrics, {@code /version}. */
final class NodeEndpoints {

  private static final ObjectMapper JSON = new ObjectMapper();

  private final String node;
  private final String baseUrl;
  private final HttpClient http;

  NodeEndpoints(String node, String baseUrl, HttpClient http) {
    this.node = node;
    this.baseUrl = baseUrl;
    this.http = http;
  }

  /** Whether {@code /q/health/ready} answers 200 now (one call, 3 s timeout). */
  boolean ready() {
    HttpRequest ready =
        HttpRequest.newBuilder(URI.create(baseUrl + "/q/health/ready"))
            .timeout(Duration.ofSeconds(3))
            .build();
    try {
      return http.send(ready, HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
    } catch (IOException e) {
      // Not listening, or not answering in time: not ready, which is what the caller asks.
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** The sum of every series of {@code name} whose labels contain {@code labels}; 0 if none. */
  double metric(String name, String labels) {
    HttpRequest request =
        HttpRequest.newBuilder(URI.create(baseUrl + "/q/metrics"))
            .timeout(Duration.ofSeconds(5))
            .build();
    try {
      HttpResponse<String> answer = http.send(request, HttpResponse.BodyHandlers.ofString());
      if (answer.statusCode() != 200) {
        throw new IllegalStateException(node + " /q/metrics answered " + answer.statusCode());
      }
      double sum = 0;
      for (String line : answer.body().split("\n")) {
        if ((line.startsWith(name + "{") || line.startsWith(name + " ")) && line.contains(labels)) {
          sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
        }
      }
      return sum;
    } catch (IOException e) {
      throw new IllegalStateException("Cannot read " + node + " /q/metrics: " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted reading " + node + " /q/metrics", e);
    }
  }

  /** The node's {@code /version}: {service, version, buildSha, builtAt, startedAt}. */
  JsonNode version() {
    HttpRequest request =
        HttpRequest.newBuilder(URI.create(baseUrl + "/version"))
            .timeout(Duration.ofSeconds(5))
            .build();
    try {
      HttpResponse<String> answer = http.send(request, HttpResponse.BodyHandlers.ofString());
      if (answer.statusCode() != 200) {
        throw new IllegalStateException(
            node + " /version answered " + answer.statusCode() + ": " + answer.body());
      }
      return JSON.readTree(answer.body());
    } catch (IOException e) {
      throw new IllegalStateException("Cannot read " + node + " /version: " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted reading " + node + " /version", e);
    }
  }
}
