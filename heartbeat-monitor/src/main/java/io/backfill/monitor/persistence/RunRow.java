package io.backfill.monitor.persistence;

import io.backfill.contracts.event.ChunkCoordinates;
import io.backfill.contracts.id.JobId;
import io.backfill.contracts.id.Lane;
import io.backfill.contracts.id.RunId;

/** One run as stored in the ledger. {@code chunk} is null for fetch runs. */
public record RunRow(
    RunId runId,
    Lane lane,
    String tenantId,
    JobId jobId,
    String state,
    int attempts,
    ChunkCoordinates chunk) {}
