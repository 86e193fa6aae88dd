package io.backfill.cli.bench;

/**
 * What one process (or PostgreSQL's backends, summed) used over a run's measured interval.
 *
 * @param cpuShare CPU seconds ÷ (elapsed seconds × cores): 1.0 is every core busy the whole time
 * @param peakRssKib VmHWM at the end of the interval, in KiB
 */
public record ProcessUsage(String process, double cpuSeconds, double cpuShare, long peakRssKib) {}
