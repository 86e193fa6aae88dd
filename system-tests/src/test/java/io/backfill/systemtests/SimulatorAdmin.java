package io.backfill.systemtests;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The outlook-simulator's admin API: mailbox sizes, fault rules, call counters. */
final class SimulatorAdmin {

  private static final ObjectMapper JSON = new ObjectMapper();

  private final String baseUrl;
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  SimulatorAdmin(String baseUrl) {
    this.baseUrl = baseUrl;
  }

  /** Messages the simulator holds for the mailbox (its ground truth). */
  long messages(String mailbox) {
    for (JsonNode box : call("GET", "/admin/mailboxes", null)) {
      if (box.path("address").asText().equalsIgnoreCase(mailbox)) {
        return box.path("messages").asLong(box.path("size").asLong());
      }
    }
    throw new AssertionError("The simulator has no mailbox " + mailbox);
  }

  /** When each message of the mailbox was received, oldest first (the ground truth). */
  List<Instant> receivedTimes(String mailbox) {
    List<Instant> times = new ArrayList<>();
    int pageSize = 500;
    for (int offset = 0; ; offset += pageSize) {
      JsonNode page =
          call(
              "GET",
              "/admin/mailboxes/"
                  + mailbox
                  + "/ground-truth?offset="
                  + offset
                  + "&limit="
                  + pageSize,
              null);
      page.forEach(message -> times.add(Instant.parse(message.path("receivedDateTime").asText())));
      if (page.size() < pageSize) {
        return times;
      }
    }
  }

  /**
   * Calls the LLM endpoint received so far (any status): [{endpoint, tenant, target, status,
   * count}].
   */
  long llmCalls() {
    long calls = 0;
    for (JsonNode count : counters()) {
      if (count.path("endpoint").asText().equals("chat.completions")) {
        calls += count.path("count").asLong();
      }
    }
    return calls;
  }

  /** Graph message calls on the mailbox answered with the status, e.g. {@code "504"}. */
  long graphAnswers(String mailbox, String status) {
    long calls = 0;
    for (JsonNode count : counters()) {
      if (count.path("endpoint").asText().equals("messages")
          && count.path("target").asText().equalsIgnoreCase(mailbox)
          && count.path("status").asText().equals(status)) {
        calls += count.path("count").asLong();
      }
    }
    return calls;
  }

  /** Tokens the identity platform issued for the directory (token calls answered 200). */
  long tokensIssued(String directory) {
    long issued = 0;
    for (JsonNode count : counters()) {
      if (count.path("endpoint").asText().equals("token")
          && count.path("tenant").asText().equals(directory)
          && count.path("status").asText().equals("200")) {
        issued += count.path("count").asLong();
      }
    }
    return issued;
  }

  /** Graph message calls on the mailbox, whatever they were answered. */
  long messageCalls(String mailbox) {
    long calls = 0;
    for (JsonNode count : counters()) {
      if (count.path("endpoint").asText().equals("messages")
          && count.path("target").asText().equalsIgnoreCase(mailbox)) {
        calls += count.path("count").asLong();
      }
    }
    return calls;
  }

  /** Adds a fault rule; returns its id. */
  String addFault(Map<String, Object> rule) {
    return call("POST", "/admin/faults", rule).path("id").asText();
  }

  void removeFault(String id) {
    call("DELETE", "/admin/faults/" + id, null);
  }

  /** Calls by endpoint ({@code token}, {@code messages}, {@code chat.completions}). */
  JsonNode counters() {
    return call("GET", "/admin/counters", null);
  }

  private JsonNode call(String method, String path, Object body) {
    HttpRequest.Builder builder =
        HttpRequest.newBuilder(URI.create(baseUrl + path)).timeout(Duration.ofSeconds(30));
    if (body == null) {
      builder.method(method, HttpRequest.BodyPublishers.noBody());
    } else {
      builder
          .header("Content-Type", "application/json")
          .method(method, HttpRequest.BodyPublishers.ofString(GatewayApi.json(body)));
    }
    try {
      HttpResponse<String> response =
          http.send(builder.build(), HttpResponse.BodyHandlers.ofString());
      if (response.statusCode() / 100 != 2) {
        throw new AssertionError(
            method + " " + path + " answered " + response.statusCode() + ": " + response.body());
      }
      return response.body().isBlank() ? JSON.createObjectNode() : JSON.readTree(response.body());
    } catch (IOException e) {
      throw new UncheckedIOException(method + " " + path + " failed", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted calling " + path, e);
    }
  }
}
