package io.backfill.cli;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import picocli.CommandLine;

/** One in-process run of the {@code backfill} command line, with what it printed. */
record CliRun(int exitCode, String out, String err, Duration took) {

  static CliRun of(String... args) {
    return withEnv(Map.of(), args);
  }

  static CliRun withEnv(Map<String, String> env, String... args) {
    return run(env, new ByteArrayInputStream(new byte[0]), args);
  }

  /** A run whose stdin holds {@code input}. */
  static CliRun withInput(Map<String, String> env, String input, String... args) {
    return run(env, new ByteArrayInputStream(input.getBytes(StandardCharsets.UTF_8)), args);
  }

  private static CliRun run(Map<String, String> env, InputStream in, String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    // No console: tests never prompt, and progress is printed as plain lines.
    CommandLine commandLine = BackfillCommand.commandLine(env, in, null);
    commandLine.setOut(new PrintWriter(out, true));
    commandLine.setErr(new PrintWriter(err, true));
    long start = System.nanoTime();
    int exitCode = commandLine.execute(args);
    return new CliRun(
        exitCode, out.toString(), err.toString(), Duration.ofNanos(System.nanoTime() - start));
  }
}
