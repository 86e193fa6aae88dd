package io.backfill.stack;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.jar.Attributes;
import java.util.jar.JarFile;
import java.util.jar.Manifest;

/** The classpath of this JVM, as a list of files a child JVM can be started with. */
public final class ChildClasspath {

  private ChildClasspath() {}

  /** Entries of {@code java.class.path}, with a Surefire manifest-only jar expanded. */
  public static List<String> ofCurrentJvm() {
    String classPath = System.getProperty("java.class.path", "");
    List<String> entries = new ArrayList<>();
    for (String entry : classPath.split(File.pathSeparator)) {
      // Absolute: the child runs in another directory (java -jar cli/target/backfill-cli.jar).
      if (!entry.isBlank()) {
        entries.add(Path.of(entry).toAbsolutePath().toString());
      }
    }
    if (entries.size() == 1 && isManifestOnlyJar(entries.get(0))) {
      return expandManifest(Path.of(entries.get(0)));
    }
    return entries;
  }

  private static boolean isManifestOnlyJar(String entry) {
    String name = Path.of(entry).getFileName().toString();
    return name.startsWith("surefirebooter") && name.endsWith(".jar");
  }

  // Surefire writes the real classpath as file: URLs (absolute or relative to the jar).
  public static List<String> expandManifest(Path jar) {
    try (JarFile jarFile = new JarFile(jar.toFile())) {
      Manifest manifest = jarFile.getManifest();
      String classPath =
          manifest == null
              ? null
              : manifest.getMainAttributes().getValue(Attributes.Name.CLASS_PATH);
      List<String> entries = new ArrayList<>();
      if (classPath == null) {
        entries.add(jar.toString());
        return entries;
      }
      URI base = jar.toAbsolutePath().getParent().toUri();
      for (String url : classPath.trim().split("\\s+")) {
        if (!url.isEmpty()) {
          entries.add(Path.of(base.resolve(url)).toString());
        }
      }
      return entries;
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read the manifest of " + jar, e);
    }
  }
}
