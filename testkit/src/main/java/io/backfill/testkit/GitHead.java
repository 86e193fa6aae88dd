package io.backfill.testkit;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/** The commit the checkout under test is at: what a service's {@code /version} must report. */
public final class GitHead {

  private GitHead() {}

  /** {@code git rev-parse HEAD} of the project, or {@code unknown} outside a git checkout. */
  public static String sha() {
    Path root = Path.of(System.getProperty("backfill.project.root", ".."));
    try {
      Process git =
          new ProcessBuilder("git", "rev-parse", "HEAD")
              .directory(root.toFile())
              .redirectErrorStream(true)
              .start();
      String out = new String(git.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
      if (!git.waitFor(10, TimeUnit.SECONDS) || git.exitValue() != 0) {
        return "unknown";
      }
      return out;
    } catch (IOException e) {
      System.getLogger(GitHead.class.getName())
          .log(System.Logger.Level.WARNING, "git rev-parse HEAD failed in " + root, e);
      return "unknown";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "unknown";
    }
  }
}
