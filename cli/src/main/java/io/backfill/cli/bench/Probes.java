package io.backfill.cli.bench;

import java.nio.file.Path;
import java.time.Duration;

/**
 * What a pipeline run measures besides its rate: the idle baseline's length (zero: none), the
 * percentage of a run's chunks extracted before its steady state starts, and whether the stack's
 * JVMs are profiled over the steady state, the summaries going to {@code summaryDir}.
 */
public record Probes(
    Duration idleBaseline, int steadyAfterPercent, boolean profile, Path summaryDir) {

  /** The steady state starts after this share of a run's chunks unless told otherwise. */
  public static final int DEFAULT_STEADY_AFTER_PERCENT = 10;

  public Probes {
    if (idleBaseline.isNegative()) {
      throw new IllegalArgumentException("the idle baseline cannot be negative: " + idleBaseline);
    }
    if (steadyAfterPercent < 1 || steadyAfterPercent > 90) {
      throw new IllegalArgumentException(
          "the steady state starts after 1 % to 90 % of the chunks, not " + steadyAfterPercent);
    }
  }

  /** No idle baseline, no profile. */
  public static Probes none() {
    return new Probes(Duration.ZERO, DEFAULT_STEADY_AFTER_PERCENT, false, null);
  }
}
