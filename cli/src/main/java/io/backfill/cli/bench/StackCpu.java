package io.backfill.cli.bench;

import io.backfill.cli.bench.ProcFs.ThreadKind;
import io.backfill.stack.LocalStack;
import io.backfill.stack.ServiceNode;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalDouble;

/**
 * CPU seconds (utime + stime) of every part of a stack at one moment: the broker, the simulator and
 * the services by name, this JVM, and PostgreSQL's backends of the stack's database by pid.
 */
final class StackCpu {

  static final String POSTGRES = "postgresql (backends)";
  static final String THIS_JVM = "backfill bench (this JVM)";

  private final Map<String, Long> pids;
  private final Map<String, Double> cpu;
  private final Map<String, Map<ThreadKind, Double>> threads;
  private final Map<Long, Double> backends;
  private final long nanos;

  private StackCpu(
      Map<String, Long> pids,
      Map<String, Double> cpu,
      Map<String, Map<ThreadKind, Double>> threads,
      Map<Long, Double> backends,
      long nanos) {
    this.pids = pids;
    this.cpu = cpu;
    this.threads = threads;
    this.backends = backends;
    this.nanos = nanos;
  }

  /** The stack's JVMs by name (the broker, the simulator and the services), with their pids. */
  static Map<String, Long> jvms(LocalStack stack) {
    Map<String, Long> pids = new LinkedHashMap<>();
    pids.put("kafka", stack.kafka().pid());
    for (ServiceNode node : stack.processes()) {
      pids.put(node.name(), node.pid());
    }
    return pids;
  }

  static StackCpu read(LocalStack stack) {
    Map<String, Long> pids = jvms(stack);
    pids.put(THIS_JVM, ProcessHandle.current().pid());
    List<Long> backendPids = backendPids(stack);
    long nanos = System.nanoTime();
    Map<String, Double> cpu = new LinkedHashMap<>();
    Map<String, Map<ThreadKind, Double>> threads = new HashMap<>();
    pids.forEach(
        (name, pid) -> {
          OptionalDouble seconds = ProcFs.cpuSeconds(pid);
          if (seconds.isPresent()) {
            cpu.put(name, seconds.getAsDouble());
            threads.put(name, ProcFs.threadCpuSeconds(pid));
          }
        });
    Map<Long, Double> backends = new HashMap<>();
    for (long pid : backendPids) {
      ProcFs.cpuSeconds(pid).ifPresent(s -> backends.put(pid, s));
    }
    return new StackCpu(pids, cpu, threads, backends, nanos);
  }

  /** Seconds from {@code before} to this reading. */
  double secondsSince(StackCpu before) {
    return (nanos - before.nanos) / 1e9;
  }

  long pid(String process) {
    return pids.getOrDefault(process, -1L);
  }

  /** The backends' pids, whose peak RSS is summed for PostgreSQL. */
  List<Long> backendPids() {
    return List.copyOf(backends.keySet());
  }

  /**
   * CPU seconds each part used from {@code before} to this reading, in reading order, PostgreSQL's
   * backends summed last. A process whose pid changed in between (restarted) is left out. A backend
   * that ended in between is missed and one that started counts from zero: the sum is a floor.
   */
  Map<String, Double> usedSince(StackCpu before) {
    Map<String, Double> used = new LinkedHashMap<>();
    cpu.forEach(
        (name, end) -> {
          Double start = before.cpu.get(name);
          if (start != null && Objects.equals(before.pids.get(name), pids.get(name))) {
            used.put(name, end - start);
          }
        });
    if (!backends.isEmpty()) {
      double sum = 0;
      for (Map.Entry<Long, Double> backend : backends.entrySet()) {
        sum += backend.getValue() - before.backends.getOrDefault(backend.getKey(), 0.0);
      }
      used.put(POSTGRES, sum);
    }
    return used;
  }

  /**
   * CPU seconds the JVMs' threads of one kind (compiler, garbage collector) used from {@code
   * before} to this reading; a process restarted in between is left out.
   */
  Map<String, Double> usedSince(StackCpu before, ThreadKind kind) {
    Map<String, Double> used = new LinkedHashMap<>();
    threads.forEach(
        (name, end) -> {
          Map<ThreadKind, Double> start = before.threads.get(name);
          if (start != null && Objects.equals(before.pids.get(name), pids.get(name))) {
            used.put(name, end.getOrDefault(kind, 0.0) - start.getOrDefault(kind, 0.0));
          }
        });
    return used;
  }

  private static List<Long> backendPids(LocalStack stack) {
    List<Long> pids = new ArrayList<>();
    String url = stack.postgres().jdbcUrl(stack.databaseName());
    // Only a PostgreSQL on this machine has its backends in this /proc.
    if (!url.contains("//127.0.0.1:") && !url.contains("//localhost:")) {
      return pids;
    }
    try (Connection db = stack.database();
        PreparedStatement query =
            db.prepareStatement(
                "SELECT pid FROM pg_stat_activity"
                    + " WHERE datname = current_database() AND pid <> pg_backend_pid()");
        ResultSet rows = query.executeQuery()) {
      while (rows.next()) {
        if (ProcFs.command(rows.getLong(1)).startsWith("postgres")) {
          pids.add(rows.getLong(1));
        }
      }
    } catch (SQLException e) {
      throw new IllegalStateException("cannot list the database's backends: " + e, e);
    }
    return pids;
  }
}
