package io.backfill.contracts.id;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One unit of work: {@code fetch:<jobId>} or {@code extract:<jobId>:<seq>}. The seq is the page's
 * number within the job, so a page fetched twice yields the same runId.
 */
public record RunId(String value) {

  private static final Pattern FORM =
      Pattern.compile(
          "(fetch|extract):([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})"
              + "(?::([1-9][0-9]{0,8}))?");

  @JsonCreator
  public RunId {
    Matcher matcher = value == null ? null : FORM.matcher(value);
    if (matcher == null || !matcher.matches()) {
      throw new IllegalArgumentException(
          "runId must be fetch:<jobId> or extract:<jobId>:<seq>, was '" + value + "'");
    }
    boolean hasSeq = matcher.group(3) != null;
    if (hasSeq != matcher.group(1).equals("extract")) {
      throw new IllegalArgumentException(
          "runId must be fetch:<jobId> or extract:<jobId>:<seq>, was '" + value + "'");
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

  public Lane lane() {
    return value.startsWith("fetch:") ? Lane.FETCH : Lane.EXTRACT;
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
    if (matcher.group(3) == null) {
      throw new IllegalStateException("a fetch run has no chunk seq: " + value);
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
