package io.backfill.cli;

import io.backfill.contracts.event.BackfillRequested;
import java.util.function.Function;
import picocli.CommandLine.ParameterException;

/** The follow options of submit, produce-request and follow (docs/decisions/0037). */
final class FollowOptions {

  private FollowOptions() {}

  /** Bad input before anything is sent: an interval out of bounds, or without --follow. */
  static void check(
      boolean follow, Integer interval, Function<String, ParameterException> invalid) {
    if (interval == null) {
      return;
    }
    if (!follow) {
      throw invalid.apply("--follow-interval needs --follow");
    }
    checkInterval(interval, invalid);
  }

  static void checkInterval(int interval, Function<String, ParameterException> invalid) {
    if (interval < BackfillRequested.MIN_FOLLOW_INTERVAL_SECONDS
        || interval > BackfillRequested.MAX_FOLLOW_INTERVAL_SECONDS) {
      throw invalid.apply(
          "--follow-interval must be "
              + BackfillRequested.MIN_FOLLOW_INTERVAL_SECONDS
              + " to "
              + BackfillRequested.MAX_FOLLOW_INTERVAL_SECONDS
              + " seconds, was "
              + interval);
    }
  }

  static String every(Integer interval) {
    return interval == null ? " (the fetcher's interval)" : ", a round every " + interval + " s";
  }
}
