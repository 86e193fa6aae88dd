package io.backfill.contracts.id;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One unit of work: {@code fetch:<jobId>}, {@code extract:<jobId>:<seq>} or {@code
 * follow:<jobId>:<round>}. The seq is the page's number within the job, so a page fetched twice
 * yields the same runId; the round is the followed job's delta round, counted from 1.
 */
public record RunId(String value) {

  private static final Pattern FORM =
      Pattern.compile(
          "(fetch|extract|follow):([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})"
              + "(?::([1-9][0-9]{0,8}))?");

  @JsonCreator
  public RunId {
    Matcher matcher = value == null ? null : FORM.matcher(value);
    if (matcher == null || !matcher.matches()) {
      throw new IllegalArgumentException(
          "runId must be fetch:<jobId>, extract:<jobId>:<seq> or follow:<jobId>:<round>, was '"
              + value
              + "'");
    }
    boolean hasNumber = matcher.group(3) != null;
    if (hasNumber == matcher.group(1).equals("fetch")) {
      throw new IllegalArgumentException(
          "runId must be fetch:<jobId>, extract:<jobId>:<seq> or follow:<jobId>:<round>, was '"
              + value
              + "'");
    }
  }

  public static RunId fetch(JobId jobId) {
    return new RunId("fetch:" + jobId.value());
  }

  /** The extract run of a chunk; seq counts pages from 1. */
  public static RunId extract(JobId jobId, int seq) {
    if (seq < 1) {
      throw new IllegalArgumentException("chunk seq counts from 1, was " + seq);
    }
    return new RunId("extract:" + jobId.value() + ":" + seq);
  }

  /** Delta round {@code round} (from 1) of a followed job. */
  public static RunId follow(JobId jobId, int round) {
    if (round < 1) {
      throw new IllegalArgumentException("follow rounds count from 1, was " + round);
    }
    return new RunId("follow:" + jobId.value() + ":" + round);
  }

  public Lane lane() {
    if (value.startsWith("fetch:")) {
      return Lane.FETCH;
    }
    return value.startsWith("follow:") ? Lane.FOLLOW : Lane.EXTRACT;
  }

  public JobId jobId() {
    Matcher matcher = FORM.matcher(value);
    matcher.matches();
    return new JobId(matcher.group(2));
  }

  /** The chunk seq of an extract run; fetch runs have none. */
  public int seq() {
    Matcher matcher = FORM.matcher(value);
    matcher.matches();
    if (!matcher.group(1).equals("extract")) {
      throw new IllegalStateException("only an extract run has a chunk seq: " + value);
    }
    return Integer.parseInt(matcher.group(3));
  }

  /** The delta round of a follow run; other runs have none. */
  public int round() {
    Matcher matcher = FORM.matcher(value);
    matcher.matches();
    if (!matcher.group(1).equals("follow")) {
      throw new IllegalStateException("only a follow run has a round: " + value);
    }
    return Integer.parseInt(matcher.group(3));
  }

  @JsonValue
  @Override
  public String value() {
    return value;
  }

  @Override
  public String toString() {
    return value;
  }
}
