package io.backfill.cli.watch;

import com.fasterxml.jackson.databind.JsonNode;
import io.backfill.cli.format.Formats;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import me.tongfei.progressbar.DelegatingProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import me.tongfei.progressbar.ProgressState;

/**
 * The live progress bar of one job (me.tongfei:progressbar draws it): extracted messages out of
 * those fetched so far, the rate, the ETA (the gateway's when it has one), and fetched messages,
 * chunks and entities after it. Lines for notable events are printed above the bar.
 *
 * <p>On a terminal the bar redraws in place every second. Elsewhere (a pipe, a log, a test) it is
 * printed as a new line at most every {@code plainInterval}, and only when what it reports changed.
 */
public final class ProgressDisplay implements AutoCloseable {

  private static final DateTimeFormatter CLOCK =
      DateTimeFormatter.ofPattern("HH:mm:ss").withZone(ZoneOffset.UTC);

  /** The parts of a rendered bar that change with time alone: elapsed / ETA, and the rate. */
  private static final Pattern CLOCK_AND_RATE =
      Pattern.compile("\\(\\d+:\\d{2}:\\d{2} / [^)]*\\) *\\S* msg/s");

  /** Wide enough for the bar and its numbers when no terminal says how wide it is. */
  private static final int PLAIN_WIDTH = 150;

  private final PrintWriter out;
  private final boolean terminal;
  private final Duration plainInterval;
  private final Object lock = new Object();
  private ProgressBar bar;
  private volatile Instant gatewayEta;
  private volatile JsonNode progress;
  private long entities;
  private String status = "";
  private String lastPlainLine;

  private ProgressDisplay(PrintWriter out, boolean terminal, Duration plainInterval) {
    this.out = out;
    this.terminal = terminal;
    this.plainInterval = plainInterval;
  }

  /** A bar redrawn in place when this process writes to a terminal, plain lines otherwise. */
  public static ProgressDisplay forConsole(PrintWriter out) {
    return new ProgressDisplay(out, System.console() != null, Duration.ofSeconds(5));
  }

  /** Plain lines, at most one per {@code interval}. */
  public static ProgressDisplay plain(PrintWriter out, Duration interval) {
    return new ProgressDisplay(out, false, interval);
  }

  /** A progress event or status: {@code progress} is the status's {@code progress} object. */
  public void update(String newStatus, JsonNode newProgress) {
    synchronized (lock) {
      if (newStatus != null) {
        status = newStatus;
      }
      progress = newProgress;
      long fetched = newProgress.path("messagesFetched").asLong();
      long extracted = newProgress.path("messagesExtracted").asLong();
      gatewayEta = eta(newProgress.get("eta"));
      if (bar == null) {
        bar = build(extracted);
      }
      // While the fetcher pages, fetched is a floor of the total: the bar's end moves with it.
      bar.maxHint(Math.max(fetched, extracted));
      bar.stepTo(extracted);
      bar.setExtraMessage(extra());
    }
  }

  /** What extraction wrote so far, shown after the bar. */
  public void counts(JsonNode counts) {
    synchronized (lock) {
      entities = counts.path("entities").asLong();
      if (bar != null) {
        bar.setExtraMessage(extra());
      }
    }
  }

  /** A line above the bar, with the time: {@code 14:02:11 timeout: chunk 3 attempt 1, …}. */
  public void println(String line) {
    synchronized (lock) {
      if (terminal && bar != null) {
        // Erase the bar's line (ANSI); it is drawn again below on its next tick.
        out.print("\r\u001b[2K");
      }
      out.println(CLOCK.format(Instant.now()) + " " + line);
      out.flush();
    }
  }

  /** Draws the bar a last time and leaves it on screen. */
  @Override
  public void close() {
    ProgressBar closing;
    synchronized (lock) {
      closing = bar;
      bar = null;
    }
    if (closing != null) {
      // Outside the lock: close() waits for the bar's thread, which takes the lock to print.
      closing.close();
      if (terminal) {
        synchronized (lock) {
          out.println();
          out.flush();
        }
      }
    }
  }

  private ProgressBar build(long startAt) {
    Consumer<String> print =
        terminal
            ? rendered -> {
              synchronized (lock) {
                out.print("\r" + rendered);
                out.flush();
              }
            }
            : rendered -> {
              synchronized (lock) {
                // A new line only when what it reports changed, not its clock: logs stay short.
                String shown = CLOCK_AND_RATE.matcher(rendered).replaceAll("");
                if (!shown.equals(lastPlainLine)) {
                  lastPlainLine = shown;
                  out.println(rendered);
                  out.flush();
                }
              }
            };
    ProgressBarBuilder builder =
        new ProgressBarBuilder()
            .setTaskName("extracted")
            .setUnit(" msg", 1)
            .setInitialMax(0)
            .startsFrom(startAt, Duration.ZERO)
            .setStyle(terminal ? ProgressBarStyle.COLORFUL_UNICODE_BLOCK : ProgressBarStyle.ASCII)
            .showSpeed()
            .setSpeedUnit(ChronoUnit.SECONDS)
            .setEtaFunction(this::eta)
            .setConsumer(
                terminal
                    ? new DelegatingProgressBarConsumer(print)
                    : new DelegatingProgressBarConsumer(print, PLAIN_WIDTH));
    // Every tick renders; the plain consumer skips lines that report nothing new.
    builder
        .setUpdateIntervalMillis(terminal ? 1000 : (int) plainInterval.toMillis())
        .continuousUpdate();
    return builder.build();
  }

  /** The gateway's ETA when it has one (it knows every chunk), else the bar's own estimate. */
  private Optional<Duration> eta(ProgressState state) {
    Instant eta = gatewayEta;
    if (eta != null) {
      return Optional.of(Duration.between(Instant.now(), eta)).filter(d -> !d.isNegative());
    }
    long done = state.getCurrent() - state.getStart();
    if (state.getMax() <= 0
        || done <= 0
        || progress == null
        || progress.path("hasMore").asBoolean()) {
      return Optional.empty();
    }
    return Optional.of(
        state
            .getElapsedAfterStart()
            .dividedBy(done)
            .multipliedBy(state.getMax() - state.getCurrent()));
  }

  private String extra() {
    if (progress == null) {
      return status;
    }
    // Short: on an 80-column terminal every character here is taken from the bar.
    return " | fetched %s%s | chunks %s/%s | entities %s%s"
        .formatted(
            Formats.count(progress.path("messagesFetched").asLong()),
            progress.path("hasMore").asBoolean() ? "+" : "",
            Formats.count(progress.path("chunksDone").asLong()),
            Formats.count(progress.path("chunksKnown").asLong()),
            Formats.count(entities),
            "running".equals(status) ? "" : " | " + status);
  }

  private static Instant eta(JsonNode node) {
    if (node == null || node.isNull()) {
      return null;
    }
    try {
      return Instant.parse(node.asText());
    } catch (DateTimeParseException e) {
      return null;
    }
  }
}
