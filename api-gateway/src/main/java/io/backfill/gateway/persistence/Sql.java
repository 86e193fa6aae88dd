package io.backfill.gateway.persistence;

import jakarta.persistence.Query;
import org.hibernate.query.NativeQuery;

/** Parameter binding and result conversion shared by the stores' native SQL. */
final class Sql {

  private Sql() {}

  /**
   * Binds a value that may be null with its type: an untyped null may be sent as bytea, which
   * PostgreSQL will not put into a text, timestamptz or bigint column.
   */
  static <T> Query bind(Query query, String name, T value, Class<T> type) {
    NativeQuery<?> nativeQuery = query.unwrap(NativeQuery.class);
    nativeQuery.setParameter(name, value, type);
    return query;
  }

  /** A timestamptz of a native query: Instant, OffsetDateTime or Timestamp by driver version. */
  static java.time.Instant instant(Object value) {
    if (value == null) {
      return null;
    }
    if (value instanceof java.time.Instant instant) {
      return instant;
    }
    if (value instanceof java.time.OffsetDateTime offset) {
      return offset.toInstant();
    }
    if (value instanceof java.sql.Timestamp timestamp) {
      return timestamp.toInstant();
    }
    throw new IllegalStateException("not a timestamp: " + value.getClass());
  }

  /** A count or sum of a native query; null (no rows to sum) is 0. */
  static long number(Object value) {
    return value == null ? 0 : ((Number) value).longValue();
  }
}
