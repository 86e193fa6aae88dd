package io.backfill.cli;

import io.backfill.cli.format.JobSummary;
import io.backfill.cli.gateway.GatewayClient;
import io.backfill.cli.local.ChaosMonkey;
import io.backfill.cli.local.DemoTenant;
import io.backfill.cli.local.GroundTruthCheck;
import io.backfill.cli.watch.JobWatcher;
import io.backfill.cli.watch.ProgressDisplay;
import io.backfill.contracts.serde.EventJson;
import io.backfill.stack.LocalStack;
import io.backfill.stack.StackConfig;
import io.backfill.stack.StackStartException;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code backfill demo}: the whole of Backfill on this machine (a Kafka broker, PostgreSQL, the
 * outlook-simulator and the four services as processes), one backfill of a simulated mailbox
 * watched live, its summary checked against the simulator's ground truth, then everything stopped.
 */
@Command(
    name = "demo",
    mixinStandardHelpOptions = true,
    description = {
      "Starts the local stack (Kafka, PostgreSQL, outlook-simulator, heartbeat-monitor,"
          + " api-gateway, ingest-fetcher, N extraction workers; logs in .backfill/logs), creates a"
          + " tenant with an API key and a BYOK LLM key, backfills the simulated mailbox with a"
          + " live progress bar, prints a summary checked against the simulator's ground truth,"
          + " and stops everything.",
      "./backfill builds missing service jars first (./mvnw package)."
    },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "0:the job completed and every check against the ground truth passed",
      "2:bad input",
      "9:the job ended failed, cancelled or rejected",
      "10:a part of the stack did not start (which, why and its log are printed)",
      "11:the job completed but a check against the ground truth failed"
    })
final class DemoCommand implements Callable<Integer> {

  @Spec CommandSpec spec;
  @Mixin StackOptions options;

  @Option(
      names = "--chaos",
      description =
          "SIGKILL extraction worker 1 mid-run (then start it again) and show the recovery.")
  boolean chaos;

  @Override
  public Integer call() {
    BackfillCommand root = (BackfillCommand) spec.root().userObject();
    StackConfig config = options.builder(root.env()).build();
    PrintWriter out = spec.commandLine().getOut();
    out.printf(
        "Starting the local stack: Kafka, PostgreSQL, outlook-simulator (%,d messages),"
            + " heartbeat-monitor, api-gateway, ingest-fetcher, %d extraction worker%s%s."
            + " Logs: %s%n",
        config.messages(),
        config.workers(),
        config.workers() == 1 ? "" : "s",
        options.llmLatency == null
            ? ""
            : ", LLM latency " + DurationConverter.format(options.llmLatency),
        config.logDir());
    out.flush();
    LocalStack stack;
    try {
      stack = LocalStack.start(config);
    } catch (StackStartException e) {
      spec.commandLine().getErr().println("backfill demo: " + e.getMessage());
      return ExitCodes.STACK_FAILED;
    }
    try (stack) {
      Stacks.printParts(stack, out);
      DemoTenant tenant = DemoTenant.create(stack, !options.noLlm);
      out.printf(
          "Tenant %s created with an API key%s.%n",
          tenant.tenantId(),
          tenant.llmKey() ? " and a BYOK LLM key" : " and no LLM key (--no-llm)");
      GatewayClient client = tenant.client(stack);
      String jobId = submit(client, stack);
      out.printf(
          "Submitted a backfill of %s [%s, %s): job %s%n",
          config.mailbox(), stack.windowFrom(), stack.windowTo(), jobId);
      out.flush();

      ProgressDisplay display = ProgressDisplay.forConsole(out);
      JobWatcher.Outcome outcome;
      ChaosMonkey monkey = chaos ? new ChaosMonkey(stack, client, jobId, display).start() : null;
      try {
        outcome = new JobWatcher(client, jobId, display, Duration.ofSeconds(2)).watch();
      } finally {
        if (monkey != null) {
          monkey.close();
        }
      }
      JobSummary summary = outcome.summary();
      GroundTruthCheck check = GroundTruthCheck.of(stack, outcome.finalStatus(), tenant.llmKey());
      out.println();
      summary.table().forEach(out::println);
      out.println();
      check.table().forEach(out::println);
      out.println();
      out.println("Stopping the local stack.");
      out.flush();
      if (!outcome.completed()) {
        return ExitCodes.JOB_NOT_COMPLETED;
      }
      return check.passed() ? ExitCodes.OK : ExitCodes.CHECK_FAILED;
    }
  }

  private static String submit(GatewayClient client, LocalStack stack) {
    var body =
        EventJson.mapper()
            .createObjectNode()
            .put("mailbox", stack.config().mailbox())
            .put("from", stack.windowFrom().toString())
            .put("to", stack.windowTo().toString());
    return client
        .post("api/v1/backfills", body, Map.of("Idempotency-Key", "demo"))
        .body()
        .path("jobId")
        .asText();
  }
}
