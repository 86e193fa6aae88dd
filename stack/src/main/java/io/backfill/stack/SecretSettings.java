package io.backfill.stack;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Which settings of a service are secrets, and the owner-only file they are handed over in. A
 * command line is readable by every user of the machine ({@code ps}, {@code /proc/<pid>/cmdline});
 * a file of mode 0600 is readable by its owner only.
 */
public final class SecretSettings {

  // A name segment that holds a credential: tokens, secrets, passwords, keys (master keys, API
  // keys, the simulator's map of tenants' LLM keys).
  private static final Pattern SECRET_NAME =
      Pattern.compile("(^|[.\\-_])(token|secret|password|master-keys?|api-key|keys)([.\\-_]|$)");

  private static final Set<PosixFilePermission> OWNER_ONLY =
      PosixFilePermissions.fromString("rw-------");

  private SecretSettings() {}

  /** True when the setting's value is a credential that must not appear on a command line. */
  public static boolean isSecret(String key) {
    return SECRET_NAME.matcher(key.toLowerCase(Locale.ROOT)).find();
  }

  /**
   * Writes the settings as a properties file readable by its owner only (created with that mode,
   * never readable by others for a moment). An existing file is replaced.
   */
  public static void write(Path file, Map<String, String> settings) {
    Properties properties = new Properties();
    properties.putAll(settings);
    try {
      Files.createDirectories(file.getParent());
      Files.deleteIfExists(file);
      createOwnerOnly(file);
      try (Writer out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
        properties.store(out, "Secret settings of this process; readable by its owner only.");
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot write " + file, e);
    }
  }

  /** Creates an empty file of mode 0600 (on file systems without POSIX modes, a plain file). */
  public static void createOwnerOnly(Path file) throws IOException {
    try {
      Files.createFile(file, PosixFilePermissions.asFileAttribute(OWNER_ONLY));
    } catch (UnsupportedOperationException e) {
      Files.createFile(file);
    } catch (FileAlreadyExistsException e) {
      Files.setPosixFilePermissions(file, OWNER_ONLY);
    }
  }
}
