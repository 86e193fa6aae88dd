package io.backfill.cli.bench;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;

/**
 * CPU time and peak memory of a process, from Linux's {@code /proc/<pid>/stat} and {@code status}.
 */
final class ProcFs {

  private static final long TICKS_PER_SECOND = clockTicks();

  private ProcFs() {}

  /** utime + stime of {@code pid} in seconds; empty when the process is gone or unreadable. */
  static java.util.OptionalDouble cpuSeconds(long pid) {
    try {
      String stat = Files.readString(Path.of("/proc", String.valueOf(pid), "stat"));
      return java.util.OptionalDouble.of(cpuTicks(stat) / (double) TICKS_PER_SECOND);
    } catch (IOException | RuntimeException e) {
      return java.util.OptionalDouble.empty();
    }
  }

  /** The ticks of a {@code /proc/<pid>/stat} line: utime (field 14) + stime (field 15). */
  static long cpuTicks(String stat) {
    // The command (field 2) is in parentheses and may hold spaces: count fields after it.
    String[] after = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    return Long.parseLong(after[11]) + Long.parseLong(after[12]);
  }

  /** What a JVM's native thread does, told by the name HotSpot gives it. */
  enum ThreadKind {
    /** C1 and C2 compiler threads: warm-up, which a longer run amortizes. */
    JIT,
    /**
     * Garbage collection: the collector's own threads (G1, parallel) and the VM thread, which runs
     * the serial collector's collections (the stack's JVMs use it) and the VM's other safepoint
     * operations.
     */
    GC,
    /** Everything else: the application's threads, the VM's own. */
    OTHER;

    static ThreadKind of(String threadName) {
      if (threadName.contains("CompilerThre")) {
        return JIT;
      }
      if (threadName.equals("VM Thread")
          || threadName.startsWith("GC Thread")
          || threadName.startsWith("G1 ")
          || threadName.startsWith("GC ")) {
        return GC;
      }
      return OTHER;
    }
  }

  /**
   * utime + stime in seconds of {@code pid}'s compiler threads and garbage-collector threads, from
   * {@code /proc/<pid>/task/<tid>/stat}; empty when the process is gone. A thread that ended before
   * this reading is not counted.
   */
  static Map<ThreadKind, Double> threadCpuSeconds(long pid) {
    Map<ThreadKind, Double> seconds = new EnumMap<>(ThreadKind.class);
    Path tasks = Path.of("/proc", String.valueOf(pid), "task");
    try (DirectoryStream<Path> threads = Files.newDirectoryStream(tasks)) {
      for (Path thread : threads) {
        try {
          String stat = Files.readString(thread.resolve("stat"));
          ThreadKind kind = ThreadKind.of(threadName(stat));
          if (kind != ThreadKind.OTHER) {
            seconds.merge(kind, cpuTicks(stat) / (double) TICKS_PER_SECOND, Double::sum);
          }
        } catch (IOException | RuntimeException e) {
          // The thread ended between the listing and the read: it no longer counts.
        }
      }
    } catch (IOException e) {
      return Map.of();
    }
    return seconds;
  }

  /** The thread or command name of a {@code stat} line: field 2, in parentheses. */
  static String threadName(String stat) {
    return stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
  }

  /** VmHWM (peak resident set) of {@code pid} in KiB; empty when gone or unreadable. */
  static OptionalLong peakRssKib(long pid) {
    try {
      return peakRssKib(Files.readString(Path.of("/proc", String.valueOf(pid), "status")));
    } catch (IOException | RuntimeException e) {
      return OptionalLong.empty();
    }
  }

  static OptionalLong peakRssKib(String status) {
    for (String line : status.split("\n")) {
      if (line.startsWith("VmHWM:")) {
        return OptionalLong.of(Long.parseLong(line.replaceAll("[^0-9]", "")));
      }
    }
    return OptionalLong.empty();
  }

  /** The process's command name ({@code /proc/<pid>/comm}), empty when gone or unreadable. */
  static String command(long pid) {
    try {
      return Files.readString(Path.of("/proc", String.valueOf(pid), "comm")).strip();
    } catch (IOException e) {
      return "";
    }
  }

  // USER_HZ: 100 on every common Linux; asked of getconf in case this one differs.
  private static long clockTicks() {
    try {
      Process getconf = new ProcessBuilder("getconf", "CLK_TCK").redirectErrorStream(true).start();
      if (!getconf.waitFor(5, TimeUnit.SECONDS)) {
        getconf.destroyForcibly();
        return 100;
      }
      String out = new String(getconf.getInputStream().readAllBytes()).strip();
      return getconf.exitValue() == 0 ? Long.parseLong(out) : 100;
    } catch (IOException | RuntimeException e) {
      return 100;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return 100;
    }
  }
}
