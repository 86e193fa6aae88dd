package io.backfill.cli.format;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class TableTest {

  @Test
  void columnsLineUpTwoSpacesApartWithNumbersRightAligned() {
    Table table =
        Table.of("GROUP", "TOPIC", "LAG")
            .row("api-gateway", "job.events", "3")
            .row("extraction-worker", "backfill.chunks", "1,204");

    assertThat(table.lines())
        .containsExactly(
            "GROUP              TOPIC              LAG",
            "api-gateway        job.events           3",
            "extraction-worker  backfill.chunks  1,204");
  }

  @Test
  void missingCellsPrintAsADashAndLinesHaveNoTrailingBlanks() {
    assertThat(Table.of("A", "B").row("x", null).lines()).containsExactly("A  B", "x  -");
    assertThat(Table.of("NAME", "NOTE").row("a", "").lines().get(1)).isEqualTo("a");
  }

  @Test
  void aRowOfTheWrongWidthIsAMistake() {
    assertThatThrownBy(() -> Table.of("A", "B").row("only one"))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
