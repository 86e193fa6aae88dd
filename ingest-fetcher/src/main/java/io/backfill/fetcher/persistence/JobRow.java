package io.backfill.fetcher.persistence;

import io.backfill.contracts.id.JobId;
import java.time.Instant;

/** One job as stored by the fetcher. */
public record JobRow(
    JobId jobId,
    String tenantId,
    String requestId,
    String mailbox,
    String folder,
    Instant windowFrom,
    Instant windowTo,
    String status,
    int pagesPublished,
    long messagesPublished,
    String nextLink,
    boolean acceptedPublished,
    boolean follow,
    Integer followIntervalSeconds,
    String followState,
    String followFolder) {}
