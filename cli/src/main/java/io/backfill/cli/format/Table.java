package io.backfill.cli.format;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Pattern;

/**
 * A plain-text table for terminals and scripts alike: a header row, columns two spaces apart,
 * numbers right-aligned, no borders (so {@code awk '{print $1}'} works on it).
 */
public final class Table {

  private static final Pattern NUMBER = Pattern.compile("-?[0-9][0-9,.]*( ?%)?");

  private final List<String> headers;
  private final List<List<String>> rows = new ArrayList<>();

  private Table(List<String> headers) {
    this.headers = headers;
  }

  public static Table of(String... headers) {
    return new Table(List.of(headers));
  }

  /** Adds a row; null cells print as {@code -}. */
  public Table row(Object... cells) {
    if (cells.length != headers.size()) {
      throw new IllegalArgumentException(
          "a row of " + cells.length + " cells in a table of " + headers.size() + " columns");
    }
    rows.add(Arrays.stream(cells).map(cell -> cell == null ? "-" : cell.toString()).toList());
    return this;
  }

  public boolean isEmpty() {
    return rows.isEmpty();
  }

  /** The table's lines, each without trailing blanks. */
  public List<String> lines() {
    int columns = headers.size();
    int[] widths = new int[columns];
    boolean[] numeric = new boolean[columns];
    for (int c = 0; c < columns; c++) {
      widths[c] = headers.get(c).length();
      numeric[c] = !rows.isEmpty();
      for (List<String> row : rows) {
        widths[c] = Math.max(widths[c], row.get(c).length());
        numeric[c] &= NUMBER.matcher(row.get(c)).matches() || row.get(c).equals("-");
      }
    }
    List<String> lines = new ArrayList<>();
    lines.add(line(headers, widths, numeric));
    rows.forEach(row -> lines.add(line(row, widths, numeric)));
    return lines;
  }

  public String render() {
    return String.join(System.lineSeparator(), lines());
  }

  private static String line(List<String> cells, int[] widths, boolean[] numeric) {
    StringBuilder line = new StringBuilder();
    for (int c = 0; c < cells.size(); c++) {
      if (c > 0) {
        line.append("  ");
      }
      String cell = cells.get(c);
      String pad = " ".repeat(widths[c] - cell.length());
      line.append(numeric[c] ? pad + cell : cell + pad);
    }
    return line.toString().stripTrailing();
  }
}
