package io.backfill.monitor.persistence;

import java.util.UUID;

/** One attempt as stored in the ledger. */
public record AttemptRow(
    UUID attemptId,
    int number,
    String state,
    String workerId,
    String buildSha,
    long heartbeatIntervalMs,
    long progressDone) {}
