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

  /** Generates (or regenerates) a mailbox of the directory: {@code size} messages from the seed. */
  void createMailbox(String address, int size, long seed, String directory) {
    call(
        "POST",
        "/admin/mailboxes",
        Map.of("address", address, "size", size, "seed", seed, "tenant", directory));
  }

  /** Delivers {@code count} new messages to the folder now; returns their ids. */
  List<String> deliver(String mailbox, int count, String folder) {
    List<String> ids = new ArrayList<>();
    call(
            "POST",
            "/admin/mailboxes/" + mailbox + "/deliveries",
            Map.of("count", count, "folder", folder))
        .path("ids")
        .forEach(id -> ids.add(id.asText()));
    return ids;
  }

  /** Changes a message's subject and body (Graph gives it a new changeKey). */
  void update(String mailbox, String messageId, String subject, String body) {
    call(
        "PATCH",
        "/admin/mailboxes/" + mailbox + "/messages/" + messageId,
        Map.of("subject", subject, "body", body));
  }

  /** Moves a message to another folder; returns its new id (Graph's default ids change). */
  String move(String mailbox, String messageId, String destination) {
    return call(
            "POST",
            "/admin/mailboxes/" + mailbox + "/messages/" + messageId + "/move",
            Map.of("destination", destination))
        .path("id")
        .asText();
  }

  void delete(String mailbox, String messageId) {
    call("DELETE", "/admin/mailboxes/" + mailbox + "/messages/" + messageId, null);
  }

  /** Every delta token of the mailbox issued so far answers 410 Gone from now on. */
  void expireDeltaTokens(String mailbox) {
    call("POST", "/admin/mailboxes/" + mailbox + "/delta-tokens/expiry", null);
  }

  /** One message as the ground truth holds it now. */
  record TrueMessage(String id, String folder, Instant receivedAt, String subject) {}

  /** Every message the mailbox holds now, oldest first. */
  List<TrueMessage> groundTruth(String mailbox) {
    List<TrueMessage> messages = new ArrayList<>();
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
      page.forEach(
          message ->
              messages.add(
                  new TrueMessage(
                      message.path("id").asText(),
                      message.path("folder").asText(),
                      Instant.parse(message.path("receivedDateTime").asText()),
                      message.path("subject").asText(null))));
      if (page.size() < pageSize) {
        return messages;
      }
    }
  }

  /** Graph calls on the mailbox of one endpoint (e.g. {@code messages.delta}) by status. */
  long graphAnswers(String endpoint, String mailbox, String status) {
    long calls = 0;
    for (JsonNode count : counters()) {
      if (count.path("endpoint").asText().equals(endpoint)
          && count.path("target").asText().equalsIgnoreCase(mailbox)
          && count.path("status").asText().equals(status)) {
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
