package io.backfill.gateway.persistence;

import jakarta.persistence.Query;
import org.hibernate.query.NativeQuery;

/** Parameter binding for the native SQL written out where it is used. */
public final class Sql {

  private Sql() {}

  /**
   * Binds a value that may be null with its type: an untyped null may be sent as bytea, which
   * PostgreSQL will not put into a text, timestamptz or bigint column.
   */
  public static <T> Query bind(Query query, String name, T value, Class<T> type) {
    NativeQuery<?> nativeQuery = query.unwrap(NativeQuery.class);
    nativeQuery.setParameter(name, value, type);
    return query;
  }
}
