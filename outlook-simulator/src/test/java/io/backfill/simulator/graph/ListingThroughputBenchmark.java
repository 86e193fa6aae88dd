package io.backfill.simulator.graph;

import static io.backfill.simulator.SimulatorFixtures.ALICE;

import io.backfill.simulator.SimulatorFixtures;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * How many messages per second the simulator lists: pages of 100 with text bodies, followed by
 * nextLink, by one client and by four at once (Outlook's per-mailbox limit). A measurement, not a
 * test: it asserts nothing and is excluded from the build; run it by hand with {@code ../mvnw
 * verify -Pbenchmark -Dtest=ListingThroughputBenchmark}. The figure goes to the console and to
 * {@code target/listing-throughput.txt}.
 */
@QuarkusTest
@Tag("benchmark")
class ListingThroughputBenchmark {

  private static final int PASSES_PER_CLIENT = 8;

  @TestHTTPResource("/")
  URL base;

  @Test
  void measureListedMessagesPerSecond() throws Exception {
    String token = SimulatorFixtures.token();
    HttpClient http = HttpClient.newHttpClient();
    passes(http, token, 2); // warm-up: JIT and connection pool

    StringBuilder report = new StringBuilder();
    for (int clients : new int[] {1, 4}) {
      ExecutorService pool = Executors.newFixedThreadPool(clients);
      long started = System.nanoTime();
      List<Future<Long>> runs = new ArrayList<>();
      for (int c = 0; c < clients; c++) {
        runs.add(pool.submit(() -> passes(http, token, PASSES_PER_CLIENT)));
      }
      long messages = 0;
      long bytes = 0;
      for (Future<Long> run : runs) {
        bytes += run.get();
      }
      messages = (long) clients * PASSES_PER_CLIENT * SimulatorFixtures.ALICE_SIZE;
      double seconds = (System.nanoTime() - started) / 1e9;
      pool.shutdown();
      String line =
          String.format(
              "clients=%d messages=%d seconds=%.2f messages/s=%.0f MB/s=%.1f cores=%d load=%.1f%n",
              clients,
              messages,
              seconds,
              messages / seconds,
              bytes / seconds / 1e6,
              Runtime.getRuntime().availableProcessors(),
              java.lang.management.ManagementFactory.getOperatingSystemMXBean()
                  .getSystemLoadAverage());
      report.append(line);
      System.out.print("listing throughput: " + line);
    }
    Files.writeString(Path.of("target", "listing-throughput.txt"), report);
  }

  /** The nextLink, read from the end of the page, where Graph puts it: cheaper than parsing. */
  private static String nextLink(String page) {
    int at = page.lastIndexOf("\"@odata.nextLink\":\"");
    if (at < 0) {
      return null;
    }
    int start = at + "\"@odata.nextLink\":\"".length();
    return page.substring(start, page.indexOf('"', start));
  }

  /** Lists the whole mailbox {@code passes} times; returns the bytes received. */
  private long passes(HttpClient http, String token, int passes) throws Exception {
    long bytes = 0;
    for (int p = 0; p < passes; p++) {
      String next = base + "v1.0/users/" + ALICE + "/messages?%24top=100";
      while (next != null) {
        HttpResponse<String> response =
            http.send(
                HttpRequest.newBuilder(URI.create(next))
                    .header("Authorization", "Bearer " + token)
                    .header("Prefer", "outlook.body-content-type=\"text\"")
                    .build(),
                HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
          throw new IllegalStateException(
              "listing failed: " + response.statusCode() + " " + response.body());
        }
        bytes += response.body().length();
        next = nextLink(response.body());
      }
    }
    return bytes;
  }
}
