package io.backfill.cli.bench;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * {@code backfill bench --profile}: a JFR recording ({@code settings=profile}) of each of the
 * stack's JVMs over the steady state, started and stopped with the JDK's {@code jcmd} so that the
 * start-up is not in it, then a hot-methods summary of each written as Markdown.
 */
final class Profiler {

  static final String RECORDING = "backfill-bench";
  private static final long JCMD_TIMEOUT_SECONDS = 120;

  private final Path jfrDir;
  private final PrintWriter log;
  private final Map<String, Long> recording = new LinkedHashMap<>();

  private Profiler(Path jfrDir, PrintWriter log) {
    this.jfrDir = jfrDir;
    this.log = log;
  }

  /**
   * Starts a recording in every JVM of {@code jvms} (name to pid), all at once; one that does not
   * start is logged and left out.
   */
  static Profiler start(Map<String, Long> jvms, Path jfrDir, PrintWriter log) {
    Profiler profiler = new Profiler(jfrDir, log);
    Map<String, Jcmd> started = new LinkedHashMap<>();
    jvms.forEach(
        (name, pid) ->
            started.put(
                name, Jcmd.launch(pid, "JFR.start", "name=" + RECORDING, "settings=profile")));
    started.forEach(
        (name, jcmd) -> {
          String problem = jcmd.await();
          if (problem == null) {
            profiler.recording.put(name, jvms.get(name));
          } else {
            log.printf("profile: no recording of %s: %s%n", name, problem);
          }
        });
    log.flush();
    return profiler;
  }

  /** Stops every recording, writing it to {@code <jfr-dir>/<process>.jfr}: the files written. */
  Map<String, Path> stop() {
    try {
      Files.createDirectories(jfrDir);
    } catch (IOException e) {
      throw new IllegalStateException("cannot create " + jfrDir + ": " + e.getMessage(), e);
    }
    Map<String, Jcmd> stopping = new LinkedHashMap<>();
    Map<String, Path> files = new LinkedHashMap<>();
    recording.forEach(
        (name, pid) -> {
          Path file = jfrDir.resolve(name + ".jfr").toAbsolutePath();
          files.put(name, file);
          stopping.put(name, Jcmd.launch(pid, "JFR.stop", "name=" + RECORDING, "filename=" + file));
        });
    Map<String, Path> written = new LinkedHashMap<>();
    stopping.forEach(
        (name, jcmd) -> {
          String problem = jcmd.await();
          if (problem == null && Files.isRegularFile(files.get(name))) {
            written.put(name, files.get(name));
          } else {
            log.printf("profile: no recording of %s written: %s%n", name, problem);
          }
        });
    log.flush();
    return written;
  }

  /**
   * Writes the summary of each recording to {@code <dir>/<stamp>-<scenario>-<process>.md}, with
   * {@code context} and the process's own figures on top: the files written.
   */
  static List<Path> summarise(
      Map<String, Path> recordings,
      Path dir,
      String stamp,
      String scenario,
      List<String> context,
      Map<String, ProcessUsage> usage,
      PrintWriter log) {
    List<Path> written = new ArrayList<>();
    recordings.forEach(
        (process, jfr) -> {
          try {
            JfrSummary summary = JfrSummary.of(jfr);
            List<String> lines = new ArrayList<>(context);
            ProcessUsage own = usage.get(process);
            if (own != null) {
              lines.add(
                  String.format(
                      Locale.ROOT,
                      "This process: %s CPU ms/message at steady state (%s net of its idle rate"
                          + " of %s CPU ms/s); of the %s, JIT compiler threads %s and garbage"
                          + " collector threads %s",
                      Numbers.format(own.cpuMsPerMessage()),
                      Numbers.format(own.cpuMsPerMessageNetOfIdle()),
                      Numbers.format(own.idleCpuMsPerSecond()),
                      Numbers.format(own.cpuMsPerMessage()),
                      Numbers.format(own.jitMsPerMessage()),
                      Numbers.format(own.gcMsPerMessage())));
            }
            lines.add("Recording: `" + jfr + "` (kept locally, not committed)");
            Files.createDirectories(dir);
            Path md = dir.resolve(stamp + "-" + scenario + "-" + process + ".md");
            Files.writeString(
                md,
                summary.markdown("JFR " + scenario + ", " + process, lines),
                StandardCharsets.UTF_8);
            written.add(md);
          } catch (IOException | RuntimeException e) {
            // One unreadable recording leaves the others' summaries and the run's figures intact.
            log.printf("profile: cannot summarise %s (%s): %s%n", process, jfr, e);
          }
        });
    log.flush();
    return written;
  }

  /** One {@code jcmd} call, running. */
  private record Jcmd(Process process, Path output, String launchProblem) {

    static Jcmd launch(long pid, String... command) {
      List<String> line = new ArrayList<>();
      line.add(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString());
      line.add(String.valueOf(pid));
      line.addAll(List.of(command));
      try {
        Path output = Files.createTempFile("backfill-jcmd", ".txt");
        Process process =
            new ProcessBuilder(line)
                .redirectErrorStream(true)
                .redirectOutput(output.toFile())
                .start();
        process.getOutputStream().close();
        return new Jcmd(process, output, null);
      } catch (IOException e) {
        return new Jcmd(null, null, "cannot run " + line + ": " + e.getMessage());
      }
    }

    /** Waits for it: null when it worked, else what went wrong. */
    String await() {
      if (launchProblem != null) {
        return launchProblem;
      }
      try {
        if (!process.waitFor(JCMD_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
          process.destroyForcibly();
          return "jcmd did not answer within " + JCMD_TIMEOUT_SECONDS + " s";
        }
        String out = Files.readString(output, StandardCharsets.UTF_8).strip();
        // jcmd exits 0 even when the diagnostic command failed; its answer says so.
        boolean failed =
            process.exitValue() != 0
                || out.contains("Exception")
                || out.contains("Could not")
                || out.contains("not found");
        return failed ? "jcmd exit " + process.exitValue() + ": " + out : null;
      } catch (IOException e) {
        return "cannot read jcmd's answer: " + e.getMessage();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return "interrupted";
      } finally {
        try {
          Files.deleteIfExists(output);
        } catch (IOException e) {
          log(e);
        }
      }
    }

    private static void log(IOException e) {
      java.util.logging.Logger.getLogger(Profiler.class.getName())
          .fine("cannot delete jcmd's output file: " + e.getMessage());
    }
  }
}
