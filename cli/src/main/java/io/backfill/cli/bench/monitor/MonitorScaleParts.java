package io.backfill.cli.bench.monitor;

import io.backfill.stack.KafkaBrokerProcess;
import io.backfill.stack.PostgresServer;
import io.backfill.stack.ServiceNode;

/** What a monitor-scale run started, stopped in reverse order: monitor, database, broker. */
final class MonitorScaleParts implements AutoCloseable {
  KafkaBrokerProcess kafka;
  PostgresServer postgres;
  String database;
  ServiceNode monitor;
  private final Thread hook = new Thread(this::close, "monitor-bench-stop");
  private boolean closed;

  MonitorScaleParts() {
    Runtime.getRuntime().addShutdownHook(hook);
  }

  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    if (monitor != null) {
      quietly(monitor::stop);
    }
    if (postgres != null && database != null) {
      quietly(() -> postgres.dropDatabase(database));
    }
    if (postgres != null) {
      quietly(postgres::close);
    }
    if (kafka != null) {
      quietly(kafka::stop);
    }
    if (Thread.currentThread() != hook) {
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException e) {
        // Already shutting down: the hook runs and finds this closed.
        System.getLogger(MonitorScaleBenchmark.class.getName())
            .log(System.Logger.Level.DEBUG, "JVM shutting down", e);
      }
    }
  }

  private static void quietly(Runnable stop) {
    try {
      stop.run();
    } catch (RuntimeException e) {
      System.getLogger(MonitorScaleBenchmark.class.getName())
          .log(System.Logger.Level.WARNING, "Stopping a benchmark part failed", e);
    }
  }
}
