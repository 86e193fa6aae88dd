package io.backfill.fetcher.messaging;

import io.backfill.contracts.event.BackfillCommand;
import io.backfill.contracts.serde.EventDecodingException;
import io.backfill.contracts.serde.EventJson;
import io.backfill.fetcher.domain.JobCommands;
import io.backfill.fetcher.domain.TransientRetry;
import io.smallrye.reactive.messaging.annotations.Blocking;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.concurrent.CompletionStage;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.jboss.logging.Logger;

/**
 * Consumes {@code backfill.commands} (Pause / Resume / Cancel) into {@link JobCommands}. A record
 * that is not a command, or whose handling fails, goes to {@code backfill.commands.dlq}.
 */
@ApplicationScoped
public class JobCommandsConsumer {

  private static final Logger LOG = Logger.getLogger(JobCommandsConsumer.class);

  private final JobCommands commands;

  private final TransientRetry retry;

  JobCommandsConsumer(JobCommands commands, TransientRetry retry) {
    this.commands = commands;
    this.retry = retry;
  }

  @Incoming("backfill-commands")
  @Blocking
  public CompletionStage<Void> onCommand(Message<String> record) {
    BackfillCommand command;
    try {
      command = EventJson.fromJson(record.getPayload(), BackfillCommand.class);
    } catch (EventDecodingException e) {
      LOG.warnf("dead-lettering a command record: %s", e.getMessage());
      return record.nack(e);
    }
    try {
      retry.run(
          "command",
          command.getClass().getSimpleName() + " for job " + command.jobId(),
          () -> commands.handle(command));
    } catch (RuntimeException e) {
      LOG.errorf(
          e,
          "%s for job %s (tenant %s) failed: %s",
          command.getClass().getSimpleName(),
          command.jobId(),
          command.tenantId(),
          e.getMessage());
      return record.nack(e);
    }
    return record.ack();
  }
}
