package io.backfill.cli.bench.monitor;

/**
 * What one monitor-scale run measured.
 *
 * @param heartbeatsIngestedPerSecond run events the monitor applied per second over the steady
 *     window (its {@code backfill_ledger_applied_events_total}; only heartbeats arrive then)
 * @param tickP99Seconds the reaper sweep's p99 as the monitor publishes it (a two-minute decaying
 *     window), the largest value read during the steady window
 * @param detectionP50Seconds receipt of RunTimedOut minus the send time of the attempt's last
 *     heartbeat, median over the detected dead attempts (NaN when none)
 * @param staleAfterSeconds the extract lane's staleAfter: max(stale floor, 3 × interval)
 * @param tickSeconds the reaper's interval
 * @param falseTimeouts RunTimedOut for attempts that were still heartbeating (must be 0)
 */
public record MonitorScaleResult(
    double heartbeatsIngestedPerSecond,
    double tickP99Seconds,
    double detectionP50Seconds,
    double detectionP99Seconds,
    double staleAfterSeconds,
    double tickSeconds,
    int died,
    int detected,
    int falseTimeouts) {}
