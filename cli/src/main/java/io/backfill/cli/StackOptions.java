package io.backfill.cli;

import io.backfill.stack.StackConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** What {@code demo} and {@code up} start: the mailbox, workers and simulated LLM. */
final class StackOptions {

  /** The models the worker calls (primary, fallback): what --llm-latency slows down. */
  private static final String[] LLM_MODELS = {"gpt-4o-mini", "gpt-4.1-mini"};

  @Spec(Spec.Target.MIXEE)
  CommandSpec spec;

  @Option(
      names = "--messages",
      paramLabel = "N",
      defaultValue = "5000",
      description =
          "Messages in the simulated mailbox, all of them in the backfill's window. Default: ${DEFAULT-VALUE}.")
  int messages;

  @Option(
      names = "--workers",
      paramLabel = "N",
      defaultValue = "2",
      description = "Extraction workers, each its own process. Default: ${DEFAULT-VALUE}.")
  int workers;

  @Option(
      names = "--llm-latency",
      paramLabel = "DURATION",
      converter = DurationConverter.class,
      description = "Every simulated LLM answer takes this long (e.g. 200ms). Default: none.")
  Duration llmLatency;

  @Option(
      names = "--no-llm",
      description =
          "Give the tenant no LLM key: rule-based entities and embeddings only, chunks"
              + " recorded as skipped_no_key.")
  boolean noLlm;

  @Option(
      names = "--project-root",
      paramLabel = "DIR",
      description =
          "The checkout whose <module>/target/quarkus-app jars run. Default: the one"
              + " ./backfill runs from ($BACKFILL_PROJECT_ROOT), else the current directory.")
  Path projectRoot;

  StackConfig.Builder builder(java.util.Map<String, String> env) {
    if (messages < 1 || messages > 1_000_000) {
      throw invalid("--messages must be 1 to 1,000,000, was " + messages);
    }
    if (workers < 1 || workers > 8) {
      throw invalid("--workers must be 1 to 8, was " + workers);
    }
    Path root = root(env);
    StackConfig.Builder builder =
        StackConfig.builder()
            .projectRoot(root)
            .workDir(root.resolve(".backfill"))
            .messages(messages)
            .workers(workers);
    if (llmLatency != null && !llmLatency.isZero()) {
      StringBuilder faults = new StringBuilder();
      for (String model : LLM_MODELS) {
        if (faults.length() > 0) {
          faults.append(',');
        }
        faults.append(model).append(":latency;latency=").append(llmLatency.toMillis()).append("ms");
      }
      builder.simulatorProperty("backfill.simulator.faults", faults.toString());
    }
    return builder;
  }

  Path root(java.util.Map<String, String> env) {
    return root(spec, projectRoot, env);
  }

  /**
   * The checkout to run: {@code given}, else {@code $BACKFILL_PROJECT_ROOT} (the launcher sets it),
   * else the current directory; bad input unless it holds the reactor and the stack module.
   */
  static Path root(CommandSpec spec, Path given, java.util.Map<String, String> env) {
    Path root = given;
    if (root == null) {
      String fromEnv = env.get("BACKFILL_PROJECT_ROOT");
      root = fromEnv == null || fromEnv.isBlank() ? Path.of("") : Path.of(fromEnv.strip());
    }
    root = root.toAbsolutePath().normalize();
    if (!Files.isRegularFile(root.resolve("pom.xml"))
        || !Files.isDirectory(root.resolve("stack"))) {
      throw new ParameterException(
          spec.commandLine(),
          "--project-root: " + root + " is not a Backfill checkout (run ./backfill from one)");
    }
    return root;
  }

  private ParameterException invalid(String message) {
    return new ParameterException(spec.commandLine(), message);
  }
}
