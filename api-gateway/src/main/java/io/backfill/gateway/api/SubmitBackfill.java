package io.backfill.gateway.api;

import io.backfill.contracts.event.BackfillRequested;
import io.backfill.gateway.api.validation.IntervalNeedsFollow;
import io.backfill.gateway.api.validation.Mailbox;
import io.backfill.gateway.api.validation.SafeText;
import io.backfill.gateway.api.validation.SecondPass;
import io.backfill.gateway.api.validation.Window;
import io.backfill.gateway.api.validation.WindowEdge;
import io.backfill.gateway.domain.BackfillSubmissions;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import java.util.Locale;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/**
 * The body of {@code POST /api/v1/backfills}, as OpenAPI documents it and as it is bound and
 * validated ({@link SubmitBackfillParser}).
 */
@Schema(description = "A backfill request; no other fields are accepted")
@Window(groups = SecondPass.class)
@IntervalNeedsFollow(groups = SecondPass.class)
public record SubmitBackfill(
    @Schema(
            required = true,
            description = "User principal name (address) or Graph user id (GUID)",
            examples = "ana@contoso.com")
        @NotNull(message = REQUIRED)
        @Mailbox
        String mailbox,
    @Schema(
            required = true,
            description =
                "Start of the window, inclusive: ISO-8601 date-time with offset, or a date (UTC midnight)",
            examples = "2024-01-01T00:00:00Z")
        @NotNull(message = REQUIRED)
        @WindowEdge
        String from,
    @Schema(
            required = true,
            description =
                "End of the window, exclusive; after from, at most the configured maximum later",
            examples = "2024-07-01")
        @NotNull(message = REQUIRED)
        @WindowEdge
        String to,
    @Schema(
            description = "Well-known folder name or folder id; all mail when absent",
            examples = "inbox")
        @SafeText
        @Size(max = MAX_FOLDER_CHARS, message = FOLDER, groups = SecondPass.class)
        @Pattern(regexp = NOT_BLANK, message = FOLDER, groups = SecondPass.class)
        String folder,
    @Schema(
            description =
                "Keep the copy current after the history completes (Graph delta rounds,"
                    + " docs/decisions/0037): mail received from `from` on, `to` included and"
                    + " beyond; false when absent",
            examples = "true")
        Boolean follow,
    @Schema(
            description =
                "Seconds between delta rounds (jittered), 1 to 86400; only with follow; the"
                    + " fetcher's default when absent",
            minimum = "1",
            maximum = "86400",
            examples = "300")
        @Min(value = BackfillRequested.MIN_FOLLOW_INTERVAL_SECONDS, message = INTERVAL)
        @Max(value = BackfillRequested.MAX_FOLLOW_INTERVAL_SECONDS, message = INTERVAL)
        Integer followIntervalSeconds)
    implements Window.Bounds, IntervalNeedsFollow.Following {

  static final String REQUIRED = "required";

  static final int MAX_FOLDER_CHARS = 255;

  static final String FOLDER =
      "when given, a folder name or id of 1 to " + MAX_FOLDER_CHARS + " characters";

  /** At least one character that is not white space ({@link Character#isWhitespace}). */
  static final String NOT_BLANK = "(?s).*\\P{javaWhitespace}.*";

  /** Shared with {@code POST /{jobId}/follow}: whole seconds within the contract's bounds. */
  static final String INTERVAL =
      "when given, whole seconds from "
          + BackfillRequested.MIN_FOLLOW_INTERVAL_SECONDS
          + " to "
          + BackfillRequested.MAX_FOLLOW_INTERVAL_SECONDS;

  /** What a field of the wrong JSON type is told: the message of the rule it fails. */
  static String wrongType(String field) {
    return switch (field) {
      case "mailbox" -> Mailbox.MESSAGE;
      case "from", "to" -> WindowEdge.MESSAGE;
      case "folder" -> FOLDER;
      case "follow" -> "when given, true or false";
      default -> INTERVAL;
    };
  }

  /** The request to store, from a body that passed every constraint. */
  BackfillSubmissions.Request toRequest() {
    boolean following = Boolean.TRUE.equals(follow);
    return new BackfillSubmissions.Request(
        // Graph treats addresses case-insensitively; one spelling keeps a mailbox on one partition.
        mailbox.trim().toLowerCase(Locale.ROOT),
        WindowEdge.Check.instant(from),
        WindowEdge.Check.instant(to),
        folder == null ? null : folder.trim(),
        following,
        following ? followIntervalSeconds : null);
  }
}
