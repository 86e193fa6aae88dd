package io.backfill.testkit;

import io.backfill.stack.Ports;

/** Picks a free TCP port on the loopback interface. */
public final class FreePort {

  private FreePort() {}

  public static int pick() {
    return Ports.pickFree();
  }
}
