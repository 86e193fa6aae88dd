package io.backfill.cli;

import io.backfill.cli.gateway.GatewayException;
import io.backfill.cli.gateway.Problem;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.ParseResult;

/**
 * Reports a failed gateway call on stderr — one line with the gateway's title, status and detail,
 * then one line per invalid field — and exits with the code that says what kind of failure it was.
 * Anything else is unexpected: picocli's stack trace and exit 1.
 */
final class GatewayErrorHandler implements IExecutionExceptionHandler {

  @Override
  public int handleExecutionException(
      Exception exception, CommandLine command, ParseResult parseResult) throws Exception {
    if (!(exception instanceof GatewayException failure)) {
      throw exception;
    }
    PrintWriter err = command.getErr();
    err.println(describe(command.getCommandSpec().qualifiedName(), failure));
    err.flush();
    return failure.exitCode();
  }

  /** What {@link #handleExecutionException} prints, also for commands that carry on after one. */
  static String describe(String commandName, GatewayException failure) {
    Problem problem = failure.problem();
    if (problem == null) {
      return commandName + ": " + failure.getMessage();
    }
    StringBuilder text = new StringBuilder(commandName).append(": ").append(problem.summary());
    for (Problem.FieldError error : problem.errors()) {
      text.append(System.lineSeparator())
          .append("  ")
          .append(error.field())
          .append(": ")
          .append(error.message());
    }
    return text.toString();
  }
}
