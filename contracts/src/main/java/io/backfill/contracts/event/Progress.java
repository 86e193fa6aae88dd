package io.backfill.contracts.event;

/**
 * How far an attempt has come: {@code done} of {@code total} units (pages or messages) in a named
 * phase. {@code total} is null while unknown (the fetcher does not know how many pages remain).
 */
public record Progress(long done, @OptionalField Long total, String phase) {

  public Progress {
    Require.notNegative(done, "done");
    if (total != null) {
      Require.notNegative(total, "total");
    }
    Require.text(phase, "phase");
  }

  public static Progress starting() {
    return new Progress(0, null, "starting");
  }
}
