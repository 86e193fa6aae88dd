package io.backfill.cli.local;

import io.backfill.cli.gateway.GatewayClient;
import io.backfill.cli.gateway.GatewayException;
import io.backfill.cli.watch.ProgressDisplay;
import io.backfill.stack.LocalStack;
import io.backfill.stack.ServiceNode;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * {@code demo --chaos}: once a worker has extracted a chunk and work remains, SIGKILLs worker 1 as
 * a crash would, and starts it again (a platform restarting a dead pod). Its attempts stop
 * heartbeating; the ledger times them out and retries them, which the watch shows as lines.
 */
public final class ChaosMonkey implements AutoCloseable {

  private static final Duration POLL = Duration.ofSeconds(1);

  private final LocalStack stack;
  private final GatewayClient client;
  private final String jobId;
  private final ProgressDisplay display;
  private final CountDownLatch stopped = new CountDownLatch(1);
  private final Thread thread;

  public ChaosMonkey(
      LocalStack stack, GatewayClient client, String jobId, ProgressDisplay display) {
    this.stack = stack;
    this.client = client;
    this.jobId = jobId;
    this.display = display;
    this.thread = new Thread(this::run, "backfill-chaos");
    thread.setDaemon(true);
  }

  public ChaosMonkey start() {
    thread.start();
    return this;
  }

  private void run() {
    try {
      while (!stopped.await(POLL.toMillis(), TimeUnit.MILLISECONDS)) {
        var progress = client.get("api/v1/backfills/" + jobId).path("progress");
        long extracted = progress.path("messagesExtracted").asLong();
        long fetched = progress.path("messagesFetched").asLong();
        if (extracted > 0 && (extracted < fetched || progress.path("hasMore").asBoolean())) {
          killAndRestart();
          return;
        }
      }
    } catch (GatewayException e) {
      display.println("chaos: gave up, the gateway did not answer: " + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void killAndRestart() {
    ServiceNode worker = stack.worker(1);
    long pid = worker.pid();
    worker.kill();
    display.println(
        "chaos: SIGKILLed "
            + worker.name()
            + " (pid "
            + pid
            + ") mid-run; its attempts stop"
            + " heartbeating and are timed out and retried");
    worker.start();
    display.println(
        "chaos: "
            + worker.name()
            + " started again (pid "
            + worker.pid()
            + ", "
            + worker.executorId()
            + ")");
  }

  @Override
  public void close() {
    stopped.countDown();
  }
}
