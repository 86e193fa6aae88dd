package io.backfill.cli.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The machine a bench ran on: cores, CPU model, memory, JDK and OS, read from the JVM and {@code
 * /proc} (where there is no {@code /proc}, those fields say {@code unknown}).
 */
public record Machine(
    int cores, String cpuModel, long memoryKib, String jdk, String os, double loadAtStart) {

  public static Machine read() {
    return new Machine(
        Runtime.getRuntime().availableProcessors(),
        readCpuModel(),
        readMemoryKib(),
        System.getProperty("java.version")
            + " ("
            + System.getProperty("java.vendor")
            + ", "
            + System.getProperty("java.vm.name")
            + ")",
        System.getProperty("os.name")
            + " "
            + System.getProperty("os.version")
            + " "
            + System.getProperty("os.arch"),
        loadAverage());
  }

  /** The one-minute load average, NaN when unknown. */
  public static double loadAverage() {
    double load =
        java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
    return load < 0 ? Double.NaN : load;
  }

  /** {@code 1.20 0.80 0.50} from /proc/loadavg, or the one-minute figure. */
  public static String loadAverages() {
    try {
      String[] parts = Files.readString(Path.of("/proc/loadavg")).strip().split("\\s+");
      return parts[0] + " " + parts[1] + " " + parts[2];
    } catch (IOException | RuntimeException e) {
      return Numbers.format(loadAverage());
    }
  }

  private static String readCpuModel() {
    for (String line : lines("/proc/cpuinfo")) {
      if (line.startsWith("model name")) {
        return line.substring(line.indexOf(':') + 1).strip();
      }
    }
    return "unknown";
  }

  private static long readMemoryKib() {
    for (String line : lines("/proc/meminfo")) {
      if (line.startsWith("MemTotal:")) {
        return Long.parseLong(line.replaceAll("[^0-9]", ""));
      }
    }
    return -1;
  }

  private static List<String> lines(String file) {
    try {
      return Files.readAllLines(Path.of(file));
    } catch (IOException e) {
      return List.of();
    }
  }
}
