package io.backfill.cli.format;

/** Short names of a job's runs, where the job is known: {@code fetch}, {@code chunk 7}. */
public final class RunNames {

  private RunNames() {}

  /** {@code fetch:<job>} → {@code fetch}; {@code extract:<job>:7} → {@code chunk 7}. */
  public static String of(String runId) {
    if (runId == null) {
      return "-";
    }
    if (runId.startsWith("fetch:")) {
      return "fetch";
    }
    if (runId.startsWith("extract:")) {
      return "chunk " + runId.substring(runId.lastIndexOf(':') + 1);
    }
    return runId;
  }
}
