package io.backfill.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.backfill.cli.local.DemoTenant;
import io.backfill.contracts.serde.EventJson;
import io.backfill.stack.LocalStack;
import io.backfill.stack.SecretSettings;
import io.backfill.stack.StackConfig;
import io.backfill.stack.StackStartException;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code backfill up}: the local stack of {@code demo}, left running after this command returns,
 * with a tenant, its API key and its LLM key; {@code .backfill/env} holds what the other commands
 * need to talk to it. {@code backfill down} stops it.
 */
@Command(
    name = "up",
    mixinStandardHelpOptions = true,
    description = {
      "Starts the local stack like demo, creates a tenant with an API key (and a BYOK LLM key),"
          + " and leaves it running. Then: source .backfill/env, and use the other commands;"
          + " './backfill down' stops it.",
      "Needs the machine's PostgreSQL to outlive this command (an embedded one stops with it)."
    },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "0:the stack is up",
      "2:bad input",
      "8:a stack recorded in .backfill/stack.json is still running ('./backfill down' first)",
      "10:a part of the stack did not start (which, why and its log are printed)"
    })
final class UpCommand implements Callable<Integer> {

  static final String ENV_FILE = "env";

  @Spec CommandSpec spec;
  @Mixin StackOptions options;

  @Override
  public Integer call() {
    BackfillCommand root = (BackfillCommand) spec.root().userObject();
    StackConfig config = options.builder(root.env()).stopOnJvmExit(false).build();
    PrintWriter out = spec.commandLine().getOut();
    Optional<Long> running = runningPid(config.workDir());
    if (running.isPresent()) {
      spec.commandLine()
          .getErr()
          .println(
              "backfill up: a stack is already up (pid "
                  + running.get()
                  + " in "
                  + config.workDir().resolve(LocalStack.STATE_FILE)
                  + "); run './backfill down' first");
      return ExitCodes.CONFLICT;
    }
    out.printf("Starting the local stack (logs: %s)%n", config.logDir());
    out.flush();
    LocalStack stack;
    try {
      stack = LocalStack.start(config);
    } catch (StackStartException e) {
      spec.commandLine().getErr().println("backfill up: " + e.getMessage());
      return ExitCodes.STACK_FAILED;
    }
    Stacks.printParts(stack, out);
    DemoTenant tenant = DemoTenant.create(stack, !options.noLlm);
    Path env = config.workDir().resolve(ENV_FILE);
    write(
        env,
        String.join(
            "\n",
            "# Written by ./backfill up: source it to talk to the local stack.",
            "export BACKFILL_GATEWAY=" + stack.gateway().baseUrl(),
            "export BACKFILL_API_KEY=" + tenant.apiKey(),
            "export BACKFILL_ADMIN_TOKEN=" + config.adminToken(),
            "export BACKFILL_BOOTSTRAP_SERVERS=" + stack.kafka().bootstrapServers(),
            ""));
    out.printf(
        "Tenant %s has an API key%s. The stack stays up; to use it:%n",
        tenant.tenantId(), tenant.llmKey() ? " and a BYOK LLM key" : "");
    out.printf("  source %s%n", env);
    out.printf(
        "  ./backfill submit --watch --mailbox %s --from %s --to %s%n",
        config.mailbox(), stack.windowFrom(), stack.windowTo());
    out.println("  ./backfill down");
    out.flush();
    return ExitCodes.OK;
  }

  /** The pid of a live java process a previous {@code up} recorded, if any. */
  static Optional<Long> runningPid(Path workDir) {
    Path state = workDir.resolve(LocalStack.STATE_FILE);
    if (!Files.isRegularFile(state)) {
      return Optional.empty();
    }
    try {
      JsonNode processes = EventJson.mapper().readTree(state.toFile()).path("processes");
      for (JsonNode process : processes) {
        long pid = process.path("pid").asLong(-1);
        Optional<ProcessHandle> handle = pid > 0 ? ProcessHandle.of(pid) : Optional.empty();
        if (handle.isPresent()
            && handle.get().isAlive()
            && handle.get().info().command().map(c -> c.endsWith("java")).orElse(false)) {
          return Optional.of(pid);
        }
      }
      return Optional.empty();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + state, e);
    }
  }

  // The file holds the admin token and the tenant's API key: readable by its owner only.
  private static void write(Path file, String text) {
    try {
      Files.deleteIfExists(file);
      SecretSettings.createOwnerOnly(file);
      Files.writeString(file, text);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    }
  }
}
