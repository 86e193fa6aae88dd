package io.backfill.cli;

import java.util.Map;

/** The {@code backfill} executable: runs the command line and exits with its exit code. */
public final class Main {

  private Main() {}

  public static void main(String[] args) {
    Map<String, String> env = System.getenv();
    System.exit(BackfillCommand.commandLine(env).execute(args));
  }
}
