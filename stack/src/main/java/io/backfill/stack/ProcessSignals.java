package io.backfill.stack;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.util.concurrent.TimeUnit;

/**
 * Sends a signal to a child process. Java's Process API sends only TERM and KILL; the kill command
 * sends any signal (STOP, CONT) to our child.
 */
final class ProcessSignals {

  private static final System.Logger LOG = System.getLogger(ProcessSignals.class.getName());

  private ProcessSignals() {}

  /** Sends {@code SIG<signal>} to {@code pid}, the process of the node {@code name}. */
  static void send(String name, long pid, String signal) {
    try {
      Process kill = new ProcessBuilder("kill", "-" + signal, String.valueOf(pid)).start();
      if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
        kill.destroyForcibly();
        throw new IllegalStateException("kill -" + signal + " " + pid + " failed");
      }
      LOG.log(Level.INFO, "{0} (pid {1}) sent SIG{2}", name, pid, signal);
    } catch (IOException e) {
      throw new IllegalStateException("Cannot send SIG" + signal + " to " + name, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted sending SIG" + signal + " to " + name, e);
    }
  }
}
