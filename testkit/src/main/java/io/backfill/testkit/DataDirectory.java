package io.backfill.testkit;

import io.backfill.stack.Directories;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Temporary directories under {@code java.io.tmpdir}, never inside the source tree. */
final class DataDirectory {

  private DataDirectory() {}

  static Path create(String prefix) {
    try {
      return Files.createTempDirectory(Path.of(System.getProperty("java.io.tmpdir")), prefix);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot create a temporary directory", e);
    }
  }

  static void delete(Path dir) {
    Directories.delete(dir);
  }
}
