package io.backfill.worker.attempt;

import io.backfill.contracts.retry.Backoff;
import io.backfill.kit.attempt.AttemptLifecycle;
import io.backfill.kit.attempt.AttemptLifecycle.OnStop;
import io.backfill.kit.attempt.AttemptLifecycle.Settings;
import io.backfill.kit.attempt.AttemptListener;
import io.backfill.kit.attempt.LogContext;
import io.backfill.kit.identity.WorkerIdentity;
import io.backfill.worker.config.WorkerConfig;
import io.backfill.worker.domain.ChunkMetrics;
import io.backfill.worker.messaging.EventPublisher;
import io.quarkus.info.GitInfo;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Instance;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.util.Optional;
import org.jboss.logging.MDC;

/** The worker's knobs, producer, meters and MDC for the one attempt lifecycle. */
@Singleton
public class AttemptLifecycleProducer {

  /** The configured worker id, else this host's name and the process id. */
  @Produces
  @Singleton
  WorkerIdentity identity(WorkerConfig config, Instance<GitInfo> git) {
    return WorkerIdentity.of(
        config.workerId(),
        () -> WorkerIdentity.hostName("worker") + "-" + WorkerIdentity.pid(),
        git);
  }

  @Produces
  @Singleton
  AttemptLifecycle lifecycle(
      WorkerConfig config,
      WorkerIdentity identity,
      EventPublisher publisher,
      ChunkMetrics metrics) {
    Settings settings =
        new Settings(
            identity.workerId(),
            identity.buildSha(),
            config.heartbeatInterval(),
            config.staleAfter(),
            config.publishTimeout(),
            // RunStarted is sent again every start-retry-backoff until Kafka takes it: nothing
            // can be done without the broker, and the chunk's partition waits meanwhile.
            new Backoff(
                config.startRetryBackoff(),
                1.0,
                config.startRetryBackoff(),
                Integer.MAX_VALUE,
                false,
                false),
            Optional.of(config.chunkDeadline()),
            OnStop.END_AT_ONCE,
            // Two threads: a heartbeat send blocked on missing metadata must not delay every
            // deadline.
            2,
            "attempt-watch");
    AttemptListener meters =
        new AttemptListener() {
          @Override
          public void heartbeat(boolean acknowledged) {
            if (!acknowledged) {
              metrics.heartbeatFailed();
            }
          }

          @Override
          public void publishFailed(String eventType) {
            metrics.publishFailed(eventType);
          }
        };
    LogContext mdc = LogContext.of(MDC::put, MDC::remove);
    return new AttemptLifecycle(settings, publisher, meters, mdc);
  }

  void close(@Disposes AttemptLifecycle lifecycle) {
    lifecycle.close();
  }
}
