package io.backfill.stack;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.stream.Stream;

/** Creating, copying, deleting directories and reading the end of a log. */
public final class Directories {

  private Directories() {}

  public static Path create(Path dir) {
    try {
      return Files.createDirectories(dir);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot create " + dir, e);
    }
  }

  public static void delete(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(path);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot delete " + dir, e);
    }
  }

  /** Copies a directory tree; the target is replaced. */
  public static void copy(Path source, Path target) {
    delete(target);
    try (Stream<Path> paths = Files.walk(source)) {
      for (Path path : paths.toList()) {
        Path to = target.resolve(source.relativize(path).toString());
        if (Files.isDirectory(path)) {
          Files.createDirectories(to);
        } else {
          Files.copy(path, to, StandardCopyOption.COPY_ATTRIBUTES);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot copy " + source + " to " + target, e);
    }
  }

  /** The last {@code maxChars} characters of a file, or a note that it is missing. */
  public static String tail(Path file, int maxChars) {
    try {
      if (!Files.exists(file)) {
        return "(" + file.getFileName() + " does not exist)";
      }
      long size = Files.size(file);
      byte[] bytes;
      try (var channel = Files.newByteChannel(file)) {
        long start = Math.max(0, size - maxChars * 4L);
        channel.position(start);
        bytes = new byte[(int) (size - start)];
        var buffer = java.nio.ByteBuffer.wrap(bytes);
        while (buffer.hasRemaining() && channel.read(buffer) > 0) {
          // read until the end of what existed when we looked
        }
      }
      String text = new String(bytes, java.nio.charset.StandardCharsets.UTF_8);
      return text.length() <= maxChars ? text : "..." + text.substring(text.length() - maxChars);
    } catch (IOException | UncheckedIOException e) {
      return "(cannot read " + file + ": " + e + ")";
    }
  }
}
