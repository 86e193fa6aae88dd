package io.backfill.cli.bench;

import io.backfill.cli.format.Table;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Rows of cells printed either as the cli's plain table or as a Markdown table. */
final class Grid {

  private final List<String> headers;
  private final List<List<String>> rows = new ArrayList<>();

  private Grid(List<String> headers) {
    this.headers = headers;
  }

  static Grid of(String... headers) {
    return new Grid(List.of(headers));
  }

  Grid row(Object... cells) {
    rows.add(Arrays.stream(cells).map(c -> c == null ? "-" : c.toString()).toList());
    return this;
  }

  boolean isEmpty() {
    return rows.isEmpty();
  }

  List<String> lines() {
    Table table = Table.of(headers.toArray(String[]::new));
    rows.forEach(row -> table.row(row.toArray()));
    return table.lines();
  }

  String markdown() {
    StringBuilder md = new StringBuilder();
    md.append(line(headers));
    md.append('|').append("---|".repeat(headers.size())).append('\n');
    rows.forEach(row -> md.append(line(row)));
    return md.toString();
  }

  private static String line(List<String> cells) {
    List<String> escaped =
        cells.stream().map(c -> c.isEmpty() ? " " : c.replace("|", "\\|")).toList();
    return "| " + String.join(" | ", escaped) + " |\n";
  }
}
