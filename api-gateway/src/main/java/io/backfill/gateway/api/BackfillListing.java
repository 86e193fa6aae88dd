package io.backfill.gateway.api;

import io.backfill.gateway.config.GatewayConfig;
import io.backfill.gateway.domain.JobStatus;
import io.backfill.gateway.persistence.JobReadQueries;
import io.backfill.gateway.persistence.JobView;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.UUID;

/**
 * The tenant's jobs as pages for {@code GET /api/v1/backfills}: checks the query (status, limit,
 * cursor; every bad one named at once) and pages newest first with an opaque cursor.
 */
@ApplicationScoped
public class BackfillListing {

  /** One job in a list. */
  public record JobSummary(
      UUID jobId,
      String requestId,
      String mailbox,
      String folder,
      BackfillStatus.Window window,
      String status,
      int chunksPublished,
      long messagesFetched,
      boolean hasMore,
      Instant createdAt,
      Instant updatedAt) {}

  /** A page of jobs; {@code nextCursor} is null on the last page. */
  public record JobPage(List<JobSummary> items, String nextCursor) {}

  private final JobReadQueries queries;
  private final GatewayConfig config;

  BackfillListing(JobReadQueries queries, GatewayConfig config) {
    this.queries = queries;
    this.config = config;
  }

  /** One page of the tenant's jobs; a bad status, limit or cursor is a 400 naming each. */
  JobPage page(String tenantId, String status, String mailbox, String limit, String cursor) {
    List<Problem.FieldError> errors = new java.util.ArrayList<>();
    if (status != null
        && Arrays.stream(JobStatus.values()).noneMatch(s -> s.wireName().equals(status))) {
      errors.add(
          new Problem.FieldError(
              "status",
              "one of " + Arrays.stream(JobStatus.values()).map(JobStatus::wireName).toList()));
    }
    int pageSize = config.listing().defaultLimit();
    if (limit != null) {
      try {
        pageSize = Integer.parseInt(limit);
      } catch (NumberFormatException e) {
        pageSize = -1;
      }
      if (pageSize < 1 || pageSize > config.listing().maxLimit()) {
        errors.add(
            new Problem.FieldError("limit", "a number from 1 to " + config.listing().maxLimit()));
      }
    }
    Cursor after = null;
    if (cursor != null) {
      after = Cursor.decode(cursor);
      if (after == null) {
        errors.add(new Problem.FieldError("cursor", "not a cursor this gateway gave out"));
      }
    }
    if (!errors.isEmpty()) {
      throw new ProblemException(
          Problem.invalid("invalid-query", "The list query is invalid.", errors));
    }
    int size = pageSize;
    Cursor position = after;
    List<JobView> rows =
        QuarkusTransaction.requiringNew()
            .call(
                () ->
                    queries.page(
                        tenantId,
                        status,
                        mailbox == null ? null : mailbox.toLowerCase(java.util.Locale.ROOT),
                        position == null ? null : position.createdAt(),
                        position == null ? null : position.jobId(),
                        size));
    List<JobView> page = rows.size() > size ? rows.subList(0, size) : rows;
    String next =
        rows.size() > size
            ? new Cursor(page.get(size - 1).createdAt, page.get(size - 1).jobId).encode()
            : null;
    return new JobPage(page.stream().map(BackfillListing::summary).toList(), next);
  }

  private static JobSummary summary(JobView view) {
    return new JobSummary(
        view.jobId,
        view.requestId,
        view.mailbox,
        view.folder,
        view.windowFrom == null && view.windowTo == null
            ? null
            : new BackfillStatus.Window(view.windowFrom, view.windowTo),
        view.status.wireName(),
        view.chunksPublished,
        view.messagesFetched,
        view.hasMore,
        view.createdAt,
        view.updatedAt);
  }

  /** A list position: the last job of the previous page. Opaque to clients. */
  record Cursor(Instant createdAt, UUID jobId) {

    String encode() {
      String raw = createdAt.getEpochSecond() + ":" + createdAt.getNano() + ":" + jobId;
      return Base64.getUrlEncoder()
          .withoutPadding()
          .encodeToString(raw.getBytes(StandardCharsets.UTF_8));
    }

    /** Far longer than any cursor {@link #encode} writes. */
    static final int MAX_CHARS = 128;

    static Cursor decode(String cursor) {
      if (cursor.length() > MAX_CHARS) {
        return null;
      }
      try {
        String[] parts =
            new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8).split(":", 3);
        long nanos = Long.parseLong(parts[1]);
        if (nanos < 0 || nanos > 999_999_999) {
          return null;
        }
        Instant at = Instant.ofEpochSecond(Long.parseLong(parts[0]), nanos);
        // A forged position outside what the database stores would fail the query.
        return InputText.inRange(at) ? new Cursor(at, UUID.fromString(parts[2])) : null;
      } catch (RuntimeException e) {
        return null;
      }
    }
  }
}
