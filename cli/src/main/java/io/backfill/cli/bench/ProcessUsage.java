package io.backfill.cli.bench;

/**
 * What one process (or PostgreSQL's backends, summed) used over a run's measured interval, and its
 * CPU cost per message at steady state. A figure that was not measured is NaN.
 *
 * @param cpuShare CPU seconds ÷ (elapsed seconds × cores): 1.0 is every core busy the whole time
 * @param peakRssKib VmHWM at the end of the interval, in KiB
 * @param idleCpuMsPerSecond CPU milliseconds per second with the stack up and no job (the idle
 *     baseline): its fixed costs, polls, metrics and heartbeats
 * @param cpuMsPerMessage CPU milliseconds over the steady state ÷ the messages extracted in it
 * @param cpuMsPerMessageNetOfIdle the same after taking away the idle rate over the steady state
 * @param jitMsPerMessage of {@code cpuMsPerMessage}, what the JIT compiler threads used: warm-up
 *     still going on, which a longer run spreads over more messages
 * @param gcMsPerMessage of {@code cpuMsPerMessage}, what the garbage collector's threads used
 */
public record ProcessUsage(
    String process,
    double cpuSeconds,
    double cpuShare,
    long peakRssKib,
    double idleCpuMsPerSecond,
    double cpuMsPerMessage,
    double cpuMsPerMessageNetOfIdle,
    double jitMsPerMessage,
    double gcMsPerMessage) {

  /** The messages of one chunk (one page of the mailbox): the per-chunk figures are 100 × these. */
  public static final int CHUNK_MESSAGES = 100;

  /** Usage without the steady-state and idle figures. */
  public ProcessUsage(String process, double cpuSeconds, double cpuShare, long peakRssKib) {
    this(
        process,
        cpuSeconds,
        cpuShare,
        peakRssKib,
        Double.NaN,
        Double.NaN,
        Double.NaN,
        Double.NaN,
        Double.NaN);
  }

  public double cpuMsPerChunk() {
    return cpuMsPerMessage * CHUNK_MESSAGES;
  }

  public double cpuMsPerChunkNetOfIdle() {
    return cpuMsPerMessageNetOfIdle * CHUNK_MESSAGES;
  }
}
