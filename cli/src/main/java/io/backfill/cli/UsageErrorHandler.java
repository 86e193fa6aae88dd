package io.backfill.cli;

import picocli.CommandLine;
import picocli.CommandLine.IParameterExceptionHandler;
import picocli.CommandLine.ParameterException;

/**
 * Reports bad input in one line on stderr, naming what is wrong and where the help is, instead of
 * picocli's default message followed by the whole usage text.
 */
final class UsageErrorHandler implements IParameterExceptionHandler {

  @Override
  public int handleParseException(ParameterException exception, String[] args) {
    CommandLine command = exception.getCommandLine();
    String name = command.getCommandSpec().qualifiedName();
    command
        .getErr()
        .printf("%s: %s (see '%s --help')%n", name, oneLine(exception.getMessage()), name);
    command.getErr().flush();
    return ExitCodes.BAD_INPUT;
  }

  private static String oneLine(String message) {
    return message == null ? "invalid input" : message.strip().replaceAll("\\s*\\R\\s*", " ");
  }
}
