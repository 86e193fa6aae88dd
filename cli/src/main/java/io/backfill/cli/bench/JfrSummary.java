package io.backfill.cli.bench;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import jdk.jfr.consumer.RecordedClass;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedMethod;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordingFile;

/**
 * The hot methods and the allocation of one JFR recording: the top frames of the CPU samples
 * ({@code jdk.ExecutionSample}), the project's own methods by samples they are on the stack of
 * (self plus callees), and the sampled allocation ({@code jdk.ObjectAllocationSample} weight) per
 * second and per class.
 */
public record JfrSummary(
    long samples,
    double seconds,
    List<Count> topFrames,
    List<Count> ownInclusive,
    double allocatedBytes,
    List<Count> topAllocations) {

  /** The package prefix whose methods count as the project's own. */
  static final String OWN_PACKAGE = "io.backfill.";

  static final int TOP_FRAMES = 15;
  static final int TOP_ALLOCATIONS = 10;

  /** One method or class and its weight: samples, or bytes for allocations. */
  public record Count(String name, double weight) {}

  public JfrSummary {
    topFrames = List.copyOf(topFrames);
    ownInclusive = List.copyOf(ownInclusive);
    topAllocations = List.copyOf(topAllocations);
  }

  /** Reads every event of {@code recording}. */
  public static JfrSummary of(Path recording) throws IOException {
    Map<String, Double> top = new HashMap<>();
    Map<String, Double> own = new HashMap<>();
    Map<String, Double> allocations = new HashMap<>();
    long samples = 0;
    double allocated = 0;
    Instant first = null;
    Instant last = null;
    try (RecordingFile file = new RecordingFile(recording)) {
      while (file.hasMoreEvents()) {
        RecordedEvent event = file.readEvent();
        String type = event.getEventType().getName();
        if (type.equals("jdk.ExecutionSample")) {
          samples++;
          first =
              first == null || event.getStartTime().isBefore(first) ? event.getStartTime() : first;
          last = last == null || event.getStartTime().isAfter(last) ? event.getStartTime() : last;
          countFrames(event.getStackTrace(), top, own);
        } else if (type.equals("jdk.ObjectAllocationSample")) {
          double weight = event.getLong("weight");
          allocated += weight;
          RecordedClass allocatedClass = event.getClass("objectClass");
          allocations.merge(
              allocatedClass == null ? "unknown" : className(allocatedClass.getName()),
              weight,
              Double::sum);
        }
      }
    }
    double seconds = first == null ? 0 : Duration.between(first, last).toMillis() / 1000.0;
    return new JfrSummary(
        samples,
        seconds,
        highest(top, TOP_FRAMES),
        highest(own, TOP_FRAMES),
        allocated,
        highest(allocations, TOP_ALLOCATIONS));
  }

  private static void countFrames(
      RecordedStackTrace stack, Map<String, Double> top, Map<String, Double> own) {
    if (stack == null || stack.getFrames().isEmpty()) {
      top.merge("(no stack)", 1.0, Double::sum);
      return;
    }
    List<RecordedFrame> frames = stack.getFrames();
    top.merge(methodName(frames.get(0)), 1.0, Double::sum);
    // A method on the stack twice (recursion) counts once for the sample.
    Set<String> seen = new LinkedHashSet<>();
    for (RecordedFrame frame : frames) {
      String name = methodName(frame);
      if (name.startsWith(OWN_PACKAGE) && !generated(name) && seen.add(name)) {
        own.merge(name, 1.0, Double::sum);
      }
    }
  }

  /**
   * Quarkus's generated proxies, subclasses and invokers around a bean method: each would repeat
   * the method's own count, so they are left out.
   */
  static boolean generated(String method) {
    return method.contains("_ClientProxy.")
        || method.contains("_Subclass")
        || method.contains("$quarkusrestinvoker$")
        || method.contains("_SmallRyeMessagingInvoker")
        || method.contains("_Bean.")
        || method.contains("$$Lambda$");
  }

  static String methodName(RecordedFrame frame) {
    RecordedMethod method = frame.getMethod();
    if (method == null) {
      return "(unknown)";
    }
    return method.getType().getName() + "." + method.getName();
  }

  /** {@code [J} as {@code long[]}, {@code [Ljava.lang.String;} as {@code java.lang.String[]}. */
  static String className(String name) {
    int dims = 0;
    while (dims < name.length() && name.charAt(dims) == '[') {
      dims++;
    }
    if (dims == 0) {
      return name;
    }
    String element = name.substring(dims);
    String base =
        switch (element) {
          case "Z" -> "boolean";
          case "B" -> "byte";
          case "C" -> "char";
          case "S" -> "short";
          case "I" -> "int";
          case "J" -> "long";
          case "F" -> "float";
          case "D" -> "double";
          default ->
              element.startsWith("L") && element.endsWith(";")
                  ? element.substring(1, element.length() - 1)
                  : element;
        };
    return base + "[]".repeat(dims);
  }

  private static List<Count> highest(Map<String, Double> counts, int limit) {
    List<Count> all = new ArrayList<>();
    counts.forEach((name, weight) -> all.add(new Count(name, weight)));
    all.sort(
        (a, b) ->
            a.weight() != b.weight()
                ? Double.compare(b.weight(), a.weight())
                : a.name().compareTo(b.name()));
    return all.subList(0, Math.min(limit, all.size()));
  }

  /** Sampled bytes allocated per second of the recording's sampled span; NaN without a span. */
  public double allocationRate() {
    return seconds > 0 ? allocatedBytes / seconds : Double.NaN;
  }

  /** The summary as a Markdown page headed by {@code title}, with {@code context} lines below. */
  public String markdown(String title, List<String> context) {
    StringBuilder md = new StringBuilder("# ").append(title).append("\n\n");
    context.forEach(line -> md.append("- ").append(line).append('\n'));
    md.append(
        String.format(
            Locale.ROOT,
            "- %,d CPU samples (jdk.ExecutionSample, JFR `profile` settings) over %.1f s%n",
            samples,
            seconds));
    md.append(
        String.format(
            Locale.ROOT,
            "- Sampled allocation: %s MiB/s (jdk.ObjectAllocationSample weight ÷ that span), %s"
                + " MiB in all%n%n",
            Numbers.format(allocationRate() / (1024 * 1024)),
            Numbers.format(allocatedBytes / (1024 * 1024))));
    md.append("## Top ").append(TOP_FRAMES).append(" frames by CPU samples (top of stack)\n\n");
    md.append(counts(topFrames, "SAMPLES", samples, 1).markdown());
    md.append("\n## Own methods (")
        .append(OWN_PACKAGE)
        .append("*) by samples on the stack (self + callees)\n\n");
    md.append(
        ownInclusive.isEmpty()
            ? "None sampled.\n"
            : counts(ownInclusive, "SAMPLES", samples, 1).markdown());
    md.append("\n## Top ").append(TOP_ALLOCATIONS).append(" allocating classes (sampled)\n\n");
    md.append(
        topAllocations.isEmpty()
            ? "None sampled.\n"
            : counts(topAllocations, "MiB", allocatedBytes, 1024 * 1024).markdown());
    return md.toString();
  }

  private static Grid counts(List<Count> rows, String unit, double total, double scale) {
    Grid grid = Grid.of("#", "NAME", unit, "SHARE %");
    int rank = 1;
    for (Count c : rows) {
      grid.row(
          rank++,
          "`" + c.name() + "`",
          Numbers.format(c.weight() / scale),
          total > 0 ? Numbers.format(100 * c.weight() / total) : "-");
    }
    return grid;
  }
}
