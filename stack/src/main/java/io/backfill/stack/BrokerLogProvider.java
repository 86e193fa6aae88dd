package io.backfill.stack;

import java.io.FileOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.LocalTime;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.ILoggerFactory;
import org.slf4j.IMarkerFactory;
import org.slf4j.Logger;
import org.slf4j.Marker;
import org.slf4j.event.Level;
import org.slf4j.helpers.BasicMDCAdapter;
import org.slf4j.helpers.BasicMarkerFactory;
import org.slf4j.helpers.LegacyAbstractLogger;
import org.slf4j.helpers.MessageFormatter;
import org.slf4j.spi.MDCAdapter;
import org.slf4j.spi.SLF4JServiceProvider;

/**
 * SLF4J backend of the broker child JVM: writes to the file named by {@code backfill.broker.log}.
 *
 * <p>The broker runs on its parent's classpath (the cli's, a test's), whose SLF4J provider logs
 * elsewhere or buffers. This class is deliberately not registered in {@code META-INF/services}, so
 * it never competes with the parent's binding; the child selects it with {@code -Dslf4j.provider}.
 */
public final class BrokerLogProvider implements SLF4JServiceProvider {

  public static final String FILE_PROPERTY = "backfill.broker.log";
  static final String LEVEL_PROPERTY = "backfill.broker.log.level";

  private final IMarkerFactory markerFactory = new BasicMarkerFactory();
  private final MDCAdapter mdcAdapter = new BasicMDCAdapter();
  private ILoggerFactory loggerFactory;

  @Override
  public ILoggerFactory getLoggerFactory() {
    return loggerFactory;
  }

  @Override
  public IMarkerFactory getMarkerFactory() {
    return markerFactory;
  }

  @Override
  public MDCAdapter getMDCAdapter() {
    return mdcAdapter;
  }

  @Override
  public String getRequestedApiVersion() {
    return "2.0.99";
  }

  @Override
  public void initialize() {
    Level threshold =
        Level.valueOf(System.getProperty(LEVEL_PROPERTY, "INFO").toUpperCase(Locale.ROOT));
    PrintStream out = openLogFile(System.getProperty(FILE_PROPERTY));
    Map<String, Logger> loggers = new ConcurrentHashMap<>();
    loggerFactory = name -> loggers.computeIfAbsent(name, n -> new FileLogger(n, threshold, out));
  }

  private static PrintStream openLogFile(String file) {
    if (file == null) {
      return System.err;
    }
    try {
      return new PrintStream(new FileOutputStream(file, true), true, StandardCharsets.UTF_8);
    } catch (IOException e) {
      System.err.println("Cannot open broker log " + file + ", logging to stderr: " + e);
      return System.err;
    }
  }

  private static final class FileLogger extends LegacyAbstractLogger {
    private static final long serialVersionUID = 1L;

    private final transient Level threshold;
    private final transient PrintStream out;

    FileLogger(String name, Level threshold, PrintStream out) {
      this.name = name;
      this.threshold = threshold;
      this.out = out;
    }

    private boolean enabled(Level level) {
      return level.toInt() >= threshold.toInt();
    }

    @Override
    public boolean isTraceEnabled() {
      return enabled(Level.TRACE);
    }

    @Override
    public boolean isDebugEnabled() {
      return enabled(Level.DEBUG);
    }

    @Override
    public boolean isInfoEnabled() {
      return enabled(Level.INFO);
    }

    @Override
    public boolean isWarnEnabled() {
      return enabled(Level.WARN);
    }

    @Override
    public boolean isErrorEnabled() {
      return enabled(Level.ERROR);
    }

    @Override
    protected String getFullyQualifiedCallerName() {
      return null;
    }

    @Override
    protected void handleNormalizedLoggingCall(
        Level level,
        Marker marker,
        String messagePattern,
        Object[] arguments,
        Throwable throwable) {
      String message = MessageFormatter.basicArrayFormat(messagePattern, arguments);
      synchronized (out) {
        out.printf(
            "%s %-5s [%s] (%s) %s%n",
            LocalTime.now(), level, name, Thread.currentThread().getName(), message);
        if (throwable != null) {
          throwable.printStackTrace(out);
        }
      }
    }
  }
}
