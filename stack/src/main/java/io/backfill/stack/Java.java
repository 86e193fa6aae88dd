package io.backfill.stack;

import java.nio.file.Files;
import java.nio.file.Path;

/** The java executable child processes are started with: this JVM's own. */
final class Java {

  private Java() {}

  static String binary() {
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    if (Files.isExecutable(java)) {
      return java.toString();
    }
    return ProcessHandle.current().info().command().orElse("java");
  }
}
