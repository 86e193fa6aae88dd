package io.backfill.simulator.domain;

import java.util.Random;

/**
 * {@link Random}'s own generator (the 48-bit linear congruential one its documentation specifies,
 * so every draw is the same as {@code new Random(seed)}'s) whose state can be read and restored:
 * the generator saves the state at the start of each thread of mail and replays a thread from it
 * instead of keeping the mail.
 */
final class SeededRandom extends Random {

  private static final long serialVersionUID = 1L;
  private static final long MULTIPLIER = 0x5DEECE66DL;
  private static final long MASK = (1L << 48) - 1;

  private long state;

  SeededRandom(long seed) {
    super(0);
    this.state = (seed ^ MULTIPLIER) & MASK;
  }

  /** The generator's state: restoring it with {@link #restore} repeats every later draw. */
  long state() {
    return state;
  }

  void restore(long saved) {
    this.state = saved;
  }

  @Override
  protected int next(int bits) {
    state = (state * MULTIPLIER + 0xBL) & MASK;
    return (int) (state >>> (48 - bits));
  }
}
