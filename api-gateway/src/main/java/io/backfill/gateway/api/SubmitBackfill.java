package io.backfill.gateway.api;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

/** The body of {@code POST /api/v1/backfills}, as OpenAPI documents it. */
@Schema(description = "A backfill request; no other fields are accepted")
public record SubmitBackfill(
    @Schema(
            required = true,
            description = "User principal name (address) or Graph user id (GUID)",
            examples = "ana@contoso.com")
        String mailbox,
    @Schema(
            required = true,
            description =
                "Start of the window, inclusive: ISO-8601 date-time with offset, or a date (UTC midnight)",
            examples = "2024-01-01T00:00:00Z")
        String from,
    @Schema(
            required = true,
            description =
                "End of the window, exclusive; after from, at most the configured maximum later",
            examples = "2024-07-01")
        String to,
    @Schema(
            description = "Well-known folder name or folder id; all mail when absent",
            examples = "inbox")
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
        Integer followIntervalSeconds) {}
