package io.backfill.cli.bench;

/** What a figure should be, e.g. at least 0.9 or below 1 s; checked against the median. */
public record Target(Op op, double threshold) {

  /** How the figure compares to the threshold when the target is met. */
  public enum Op {
    AT_LEAST("≥"),
    AT_MOST("≤"),
    BELOW("<"),
    EQUAL("=");

    private final String symbol;

    Op(String symbol) {
      this.symbol = symbol;
    }
  }

  public static Target atLeast(double threshold) {
    return new Target(Op.AT_LEAST, threshold);
  }

  public static Target atMost(double threshold) {
    return new Target(Op.AT_MOST, threshold);
  }

  public static Target below(double threshold) {
    return new Target(Op.BELOW, threshold);
  }

  public static Target equalTo(double threshold) {
    return new Target(Op.EQUAL, threshold);
  }

  public boolean met(double value) {
    return switch (op) {
      case AT_LEAST -> value >= threshold;
      case AT_MOST -> value <= threshold;
      case BELOW -> value < threshold;
      case EQUAL -> value == threshold;
    };
  }

  /** {@code ≥ 0.90}, {@code < 1.00}, {@code ≥ 2,000}. */
  @Override
  public String toString() {
    return op.symbol + " " + Numbers.format(threshold);
  }
}
