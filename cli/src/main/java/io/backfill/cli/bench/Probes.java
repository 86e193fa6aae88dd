package io.backfill.cli.bench;

import java.nio.file.Path;
import java.time.Duration;

/**
 * What a pipeline run measures besides its rate: the idle baseline's length (zero: none) and
 * whether the stack's JVMs are profiled over the steady state, the summaries going to {@code
 * summaryDir}.
 */
public record Probes(Duration idleBaseline, boolean profile, Path summaryDir) {

  public Probes {
    if (idleBaseline.isNegative()) {
      throw new IllegalArgumentException("the idle baseline cannot be negative: " + idleBaseline);
    }
  }

  /** No idle baseline, no profile. */
  public static Probes none() {
    return new Probes(Duration.ZERO, false, null);
  }
}
