package io.backfill.kit.attempt;

import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * The logging context (MDC) of the calling thread; each service passes its logging framework's MDC,
 * so this library needs none.
 */
public interface LogContext {

  LogContext NONE =
      new LogContext() {
        @Override
        public void put(String key, String value) {}

        @Override
        public void remove(String key) {}
      };

  void put(String key, String value);

  void remove(String key);

  /**
   * A context from a framework's MDC functions, e.g. {@code LogContext.of(MDC::put, MDC::remove)}.
   */
  static LogContext of(BiConsumer<String, String> put, Consumer<String> remove) {
    return new LogContext() {
      @Override
      public void put(String key, String value) {
        put.accept(key, value);
      }

      @Override
      public void remove(String key) {
        remove.accept(key);
      }
    };
  }
}
