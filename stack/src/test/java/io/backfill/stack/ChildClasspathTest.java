package io.backfill.stack;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.jar.Attributes;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ChildClasspathTest {

  @Test
  void expandsAbsoluteAndRelativeManifestEntriesOfASurefireBooterJar(@TempDir Path dir)
      throws IOException {
    Path absolute = dir.resolve("lib/a b.jar");
    Manifest manifest = new Manifest();
    manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
    manifest
        .getMainAttributes()
        .put(Attributes.Name.CLASS_PATH, absolute.toUri() + " classes/ ../other.jar");
    Path jar = dir.resolve("boot/surefirebooter123.jar");
    Files.createDirectories(jar.getParent());
    try (OutputStream out = Files.newOutputStream(jar);
        JarOutputStream jarOut = new JarOutputStream(out, manifest)) {
      jarOut.flush();
    }

    assertThat(ChildClasspath.expandManifest(jar))
        .containsExactly(
            absolute.toString(),
            dir.resolve("boot/classes").toString(),
            dir.resolve("other.jar").toString());
  }

  @Test
  void currentJvmClasspathContainsTheBrokerJars() {
    assertThat(ChildClasspath.ofCurrentJvm())
        .anySatisfy(entry -> assertThat(entry).contains("kafka_2.13"))
        .anySatisfy(entry -> assertThat(entry).contains("kafka-clients"))
        .allSatisfy(entry -> assertThat(java.nio.file.Path.of(entry)).isAbsolute());
  }
}
