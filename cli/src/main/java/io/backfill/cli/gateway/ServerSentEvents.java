package io.backfill.cli.gateway;

import java.util.Iterator;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * Reads the {@code data} of Server-Sent Events from a stream's lines (the WHATWG rules that matter
 * here): {@code data:} lines of one event are joined with newlines, a blank line dispatches it,
 * comments ({@code :…}) and other fields are skipped.
 */
public final class ServerSentEvents {

  private ServerSentEvents() {}

  /** Hands every event's data to {@code onData}, until the stream ends. */
  public static void forEachData(Stream<String> lines, Consumer<String> onData) {
    StringBuilder data = null;
    Iterator<String> iterator = lines.iterator();
    while (iterator.hasNext()) {
      String line = iterator.next();
      if (line.isEmpty()) {
        if (data != null) {
          onData.accept(data.toString());
          data = null;
        }
        continue;
      }
      if (line.startsWith(":")) {
        continue;
      }
      int colon = line.indexOf(':');
      String field = colon < 0 ? line : line.substring(0, colon);
      if (!field.equals("data")) {
        continue;
      }
      String value = colon < 0 ? "" : line.substring(colon + 1);
      if (value.startsWith(" ")) {
        value = value.substring(1);
      }
      if (data == null) {
        data = new StringBuilder(value);
      } else {
        data.append('\n').append(value);
      }
    }
    // A stream cut after an event's data but before its blank line: that event is incomplete.
  }
}
