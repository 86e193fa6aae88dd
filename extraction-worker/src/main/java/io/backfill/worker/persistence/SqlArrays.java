package io.backfill.worker.persistence;

import java.sql.Array;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;

/**
 * Helpers for the stores' array parameters: a chunk's rows go to the database as one array per
 * column, turned back into rows by {@code unnest}, so an upsert is one statement with a handful of
 * parameters whatever the number of rows.
 */
final class SqlArrays {

  private SqlArrays() {}

  static Array texts(Connection connection, String[] values) throws SQLException {
    return connection.createArrayOf("text", values);
  }

  /**
   * An instant as timestamptz text, rounded to the microsecond as the driver rounds an {@code
   * OffsetDateTime} parameter (half up), so a value stored through an array is the same as one
   * stored through a timestamp parameter.
   */
  static String timestamp(Instant instant) {
    if (instant == null) {
      return null;
    }
    Instant rounded = instant.getNano() % 1000 > 499 ? instant.plusNanos(1000) : instant;
    return rounded.truncatedTo(ChronoUnit.MICROS).toString();
  }

  /**
   * A text[] literal of the values ({@code {"a","b"}}), for a column of arrays sent as one text per
   * row: unnest cannot take an array of arrays of different lengths.
   */
  static String arrayLiteral(List<String> values) {
    StringBuilder literal = new StringBuilder(2 + values.size() * 12).append('{');
    for (int i = 0; i < values.size(); i++) {
      if (i > 0) {
        literal.append(',');
      }
      literal.append('"');
      String value = values.get(i);
      for (int c = 0; c < value.length(); c++) {
        char ch = value.charAt(c);
        if (ch == '"' || ch == '\\') {
          literal.append('\\');
        }
        literal.append(ch);
      }
      literal.append('"');
    }
    return literal.append('}').toString();
  }
}
