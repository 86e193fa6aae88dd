package io.backfill.cli.bench.monitor;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** One read of a service's Prometheus page ({@code /q/metrics}). */
final class MonitorMetrics {

  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private final List<String> lines;

  private MonitorMetrics(List<String> lines) {
    this.lines = lines;
  }

  static MonitorMetrics scrape(String baseUrl) {
    HttpRequest request =
        HttpRequest.newBuilder(URI.create(baseUrl + "/q/metrics"))
            .timeout(Duration.ofSeconds(15))
            .build();
    try {
      HttpResponse<String> answer = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
      if (answer.statusCode() != 200) {
        throw new IllegalStateException(
            baseUrl + "/q/metrics answered " + answer.statusCode() + ": " + answer.body());
      }
      return parse(answer.body());
    } catch (IOException e) {
      throw new IllegalStateException("Cannot read " + baseUrl + "/q/metrics: " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted reading " + baseUrl + "/q/metrics", e);
    }
  }

  static MonitorMetrics parse(String text) {
    List<String> lines = new ArrayList<>();
    for (String line : text.split("\n")) {
      if (!line.isBlank() && !line.startsWith("#")) {
        lines.add(line.strip());
      }
    }
    return new MonitorMetrics(lines);
  }

  /** The sum of every series of {@code name} whose labels contain {@code labelPart}; 0 if none. */
  double sum(String name, String labelPart) {
    double total = 0;
    for (String line : lines) {
      int space = line.lastIndexOf(' ');
      String series = line.substring(0, space);
      int brace = series.indexOf('{');
      String metric = brace < 0 ? series : series.substring(0, brace);
      if (metric.equals(name) && series.contains(labelPart)) {
        total += value(line.substring(space + 1));
      }
    }
    return total;
  }

  private static double value(String text) {
    return switch (text) {
      case "+Inf" -> Double.POSITIVE_INFINITY;
      case "-Inf" -> Double.NEGATIVE_INFINITY;
      default -> Double.parseDouble(text);
    };
  }

  double sum(String name) {
    return sum(name, "");
  }
}
