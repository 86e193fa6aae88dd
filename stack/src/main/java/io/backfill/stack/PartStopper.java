package io.backfill.stack;

import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.List;

/** Stops parts of a stack so that one part failing to stop does not keep the others running. */
final class PartStopper {

  private static final System.Logger LOG = System.getLogger(PartStopper.class.getName());

  private PartStopper() {}

  /** Stops the nodes in parallel (a null one is skipped) and waits for all of them. */
  static void together(List<ServiceNode> nodes) {
    List<Thread> stopping = new ArrayList<>();
    for (ServiceNode node : nodes) {
      if (node != null) {
        Thread thread = new Thread(() -> one(node.name(), node::stop), "stop-" + node.name());
        thread.start();
        stopping.add(thread);
      }
    }
    for (Thread thread : stopping) {
      try {
        thread.join();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        LOG.log(Level.WARNING, "Interrupted while stopping " + thread.getName(), e);
        return;
      }
    }
  }

  /** Runs one part's stop, logging a failure instead of throwing it. */
  static void one(String part, Runnable stop) {
    try {
      stop.run();
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, "Stopping " + part + " failed", e);
    }
  }
}
