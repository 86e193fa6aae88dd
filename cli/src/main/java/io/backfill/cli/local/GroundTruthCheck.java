package io.backfill.cli.local;

import com.fasterxml.jackson.databind.JsonNode;
import io.backfill.cli.format.Formats;
import io.backfill.cli.format.JobSummary;
import io.backfill.cli.format.Table;
import io.backfill.cli.gateway.GatewayClient;
import io.backfill.stack.LocalStack;
import java.net.URI;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * A finished demo job checked against the simulator's ground truth: every message of the mailbox
 * (all of it is in the window) extracted once, as a document in the worker's schema; no chunk
 * failed; every chunk has an LLM outcome of the kind the tenant's key calls for.
 */
public final class GroundTruthCheck {

  /** One check: what the simulator says, what the pipeline did. */
  public record Check(String what, String expected, String actual, boolean passed) {}

  private final List<Check> checks = new ArrayList<>();

  private GroundTruthCheck() {}

  public static GroundTruthCheck of(LocalStack stack, JsonNode finalStatus, boolean llmKey) {
    GroundTruthCheck result = new GroundTruthCheck();
    JobSummary summary = JobSummary.of(finalStatus);
    long truth = mailboxSize(stack);
    result.add("job completed", "completed", summary.status());
    result.add("messages extracted", truth, summary.messages());
    result.add(
        "documents stored (extraction.documents)",
        truth,
        documents(stack, finalStatus.path("jobId").asText()));
    result.add("failed chunks", 0, summary.failedChunks());
    JsonNode outcomes = finalStatus.path("counts").path("llmOutcomes");
    String expectedOutcome = llmKey ? "ok" : "skipped_no_key";
    result.add(
        "chunks with LLM outcome " + expectedOutcome,
        summary.chunks(),
        outcomes.path(expectedOutcome).asLong());
    return result;
  }

  public boolean passed() {
    return checks.stream().allMatch(Check::passed);
  }

  public List<Check> checks() {
    return List.copyOf(checks);
  }

  public List<String> table() {
    Table table = Table.of("CHECK AGAINST GROUND TRUTH", "EXPECTED", "ACTUAL", "");
    checks.forEach(
        c -> table.row(c.what(), c.expected(), c.actual(), c.passed() ? "ok" : "FAILED"));
    return table.lines();
  }

  private void add(String what, Object expected, Object actual) {
    String e =
        expected instanceof Long || expected instanceof Integer
            ? Formats.count(((Number) expected).longValue())
            : String.valueOf(expected);
    String a =
        actual instanceof Long || actual instanceof Integer
            ? Formats.count(((Number) actual).longValue())
            : String.valueOf(actual);
    checks.add(new Check(what, e, a, e.equals(a)));
  }

  /** How many messages the simulator generated for the stack's mailbox. */
  private static long mailboxSize(LocalStack stack) {
    GatewayClient simulator =
        new GatewayClient(
            URI.create(stack.simulator().baseUrl() + "/"), null, Duration.ofSeconds(30));
    for (JsonNode mailbox : simulator.get("admin/mailboxes")) {
      if (mailbox.path("address").asText().equalsIgnoreCase(stack.config().mailbox())) {
        return mailbox.path("size").asLong();
      }
    }
    throw new IllegalStateException("the simulator has no mailbox " + stack.config().mailbox());
  }

  private static long documents(LocalStack stack, String jobId) {
    try (Connection db = stack.database();
        PreparedStatement count =
            db.prepareStatement(
                "SELECT count(*) FROM extraction.documents WHERE tenant_id = ? AND job_id = ?")) {
      count.setString(1, stack.config().tenantId());
      count.setObject(2, UUID.fromString(jobId));
      try (ResultSet rows = count.executeQuery()) {
        rows.next();
        return rows.getLong(1);
      }
    } catch (SQLException e) {
      throw new IllegalStateException("cannot count the job's documents: " + e.getMessage(), e);
    }
  }
}
