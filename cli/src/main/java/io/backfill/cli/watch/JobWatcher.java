package io.backfill.cli.watch;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.backfill.cli.format.JobSummary;
import io.backfill.cli.gateway.GatewayClient;
import io.backfill.cli.gateway.GatewayException;
import io.backfill.cli.gateway.ServerSentEvents;
import io.backfill.contracts.serde.EventJson;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;

/**
 * Follows one job until it ends. Progress comes from the gateway's event stream ({@code GET
 * /api/v1/backfills/{id}/events}, one event per change) and drives the bar; the full status is read
 * every {@code statusInterval} too, for what the stream does not carry — timeouts with their
 * diagnosis, retries, failures, entity counts — and so that a job whose stream broke is still
 * followed. A broken stream is opened again; a gateway that stops answering status reads {@code
 * MAX_STATUS_FAILURES} times in a row ends the watch with its error.
 */
public final class JobWatcher {

  /** The states after which nothing changes any more (the gateway closes the stream). */
  public static final Set<String> ENDED = Set.of("completed", "failed", "cancelled", "rejected");

  private static final int MAX_STATUS_FAILURES = 5;
  private static final Duration MAX_RECONNECT_DELAY = Duration.ofSeconds(10);

  /** How a watch ended: the job's last status, as the gateway served it. */
  public record Outcome(String status, JsonNode finalStatus) {

    public boolean completed() {
      return "completed".equals(status);
    }

    public JobSummary summary() {
      return JobSummary.of(finalStatus);
    }
  }

  private final GatewayClient client;
  private final String jobId;
  private final ProgressDisplay display;
  private final Duration statusInterval;
  private final NotableEvents notable = new NotableEvents();
  private final BlockingQueue<JsonNode> streamed = new LinkedBlockingQueue<>();
  private final AtomicReference<Stream<String>> openStream = new AtomicReference<>();
  private final CountDownLatch done = new CountDownLatch(1);
  private volatile boolean finished;

  public JobWatcher(
      GatewayClient client, String jobId, ProgressDisplay display, Duration statusInterval) {
    this.client = client;
    this.jobId = jobId;
    this.display = display;
    this.statusInterval = statusInterval;
  }

  /**
   * Watches until the job ends, then draws the bar a last time and prints one summary line.
   *
   * @throws GatewayException when the job cannot be read at the start (404, 401…), or the gateway
   *     stopped answering
   */
  public Outcome watch() {
    JsonNode status = readStatus();
    Thread reader = null;
    try {
      report(status);
      if (!ended(status)) {
        reader = new Thread(this::readEvents, "backfill-watch-events");
        reader.setDaemon(true);
        reader.start();
        status = follow(status);
      }
    } finally {
      finished = true;
      done.countDown();
      Stream<String> stream = openStream.getAndSet(null);
      if (stream != null) {
        stream.close();
      }
      if (reader != null) {
        reader.interrupt();
      }
      display.close();
    }
    Outcome outcome = new Outcome(status.path("status").asText(), status);
    display.println("job " + jobId + " " + outcome.summary().line());
    return outcome;
  }

  private JsonNode follow(JsonNode status) {
    long nextRead = System.nanoTime() + statusInterval.toNanos();
    int failures = 0;
    while (true) {
      JsonNode event = poll(Math.max(0, nextRead - System.nanoTime()));
      if (event != null) {
        String eventStatus = event.path("status").asText(null);
        String reason = event.hasNonNull("reason") ? event.get("reason").asText() : null;
        notable.status(eventStatus, reason).forEach(display::println);
        display.update(eventStatus, event.path("progress"));
        if (!ENDED.contains(eventStatus)) {
          continue;
        }
        // The stream's last event: read the final status (counts, timeouts) at once.
        nextRead = System.nanoTime();
      }
      if (System.nanoTime() < nextRead) {
        continue;
      }
      try {
        status = readStatus();
        failures = 0;
      } catch (GatewayException e) {
        failures++;
        if (e.status() != 0 && e.status() < 500 || failures >= MAX_STATUS_FAILURES) {
          throw e;
        }
        display.println(
            "gateway: " + e.getMessage() + " (" + failures + " in a row), still trying");
        nextRead = System.nanoTime() + statusInterval.toNanos();
        continue;
      }
      report(status);
      if (ended(status)) {
        return status;
      }
      nextRead = System.nanoTime() + statusInterval.toNanos();
    }
  }

  private void report(JsonNode status) {
    notable.diff(status).forEach(display::println);
    display.update(status.path("status").asText(null), status.path("progress"));
    display.counts(status.path("counts"));
  }

  /** The event stream, opened again after it breaks, until the watch ends. */
  private void readEvents() {
    Duration delay = Duration.ofSeconds(1);
    while (!finished) {
      try (Stream<String> lines = client.eventLines(eventsPath())) {
        openStream.set(lines);
        if (finished) {
          return;
        }
        ServerSentEvents.forEachData(lines, this::onEventData);
        delay = Duration.ofSeconds(1);
      } catch (GatewayException | java.io.UncheckedIOException e) {
        if (finished) {
          return;
        }
        display.println(
            "event stream: "
                + e.getMessage()
                + "; status is read every "
                + statusInterval.toSeconds()
                + " s meanwhile");
      } finally {
        openStream.set(null);
      }
      if (finished) {
        return;
      }
      // Back off before opening it again; the watch ending cuts the wait short.
      try {
        if (done.await(delay.toMillis(), TimeUnit.MILLISECONDS)) {
          return;
        }
      } catch (InterruptedException e) {
        return;
      }
      Duration doubled = delay.multipliedBy(2);
      delay = doubled.compareTo(MAX_RECONNECT_DELAY) > 0 ? MAX_RECONNECT_DELAY : doubled;
    }
  }

  private void onEventData(String data) {
    try {
      streamed.add(EventJson.mapper().readTree(data));
    } catch (JsonProcessingException e) {
      display.println(
          "event stream: an event that is not JSON was skipped: " + e.getOriginalMessage());
    }
  }

  private JsonNode poll(long nanos) {
    try {
      return streamed.poll(nanos, TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while watching job " + jobId, e);
    }
  }

  private JsonNode readStatus() {
    return client.get("api/v1/backfills/" + jobId);
  }

  private String eventsPath() {
    return "api/v1/backfills/" + jobId + "/events";
  }

  private static boolean ended(JsonNode status) {
    return ENDED.contains(status.path("status").asText());
  }
}
