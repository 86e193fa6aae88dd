package io.backfill.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.Map;
import picocli.CommandLine;

/** One in-process run of the {@code backfill} command line, with what it printed. */
record CliRun(int exitCode, String out, String err, Duration took) {

  static CliRun of(String... args) {
    return withEnv(Map.of(), args);
  }

  static CliRun withEnv(Map<String, String> env, String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine commandLine = BackfillCommand.commandLine(env);
    commandLine.setOut(new PrintWriter(out, true));
    commandLine.setErr(new PrintWriter(err, true));
    long start = System.nanoTime();
    int exitCode = commandLine.execute(args);
    return new CliRun(
        exitCode, out.toString(), err.toString(), Duration.ofNanos(System.nanoTime() - start));
  }
}
