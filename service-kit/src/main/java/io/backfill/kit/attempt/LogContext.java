package io.backfill.kit.attempt;

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
}
