package io.backfill.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.backfill.contracts.serde.EventJson;
import java.io.PrintWriter;
import java.util.List;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code --json}: the gateway's answer as it came, for scripts; otherwise text for people. */
final class Output {

  @Spec(Spec.Target.MIXEE)
  CommandSpec spec;

  @Option(
      names = "--json",
      description = "Print the gateway's JSON answer (pretty-printed) instead of text.")
  boolean json;

  PrintWriter out() {
    return spec.commandLine().getOut();
  }

  /** Prints {@code body} as JSON with {@code --json}, else {@code text}. */
  void print(JsonNode body, List<String> text) {
    PrintWriter out = out();
    if (json) {
      out.println(pretty(body));
    } else {
      text.forEach(out::println);
    }
    out.flush();
  }

  static String pretty(JsonNode body) {
    try {
      return EventJson.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(body);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot print the gateway's answer", e);
    }
  }
}
