package io.backfill.fetcher.domain;

import io.backfill.contracts.retry.Backoff;
import io.backfill.fetcher.config.FetcherConfig;
import io.backfill.fetcher.messaging.RunEventsPublisher;
import io.backfill.kit.attempt.AttemptLifecycle;
import io.backfill.kit.attempt.AttemptLifecycle.OnStop;
import io.backfill.kit.attempt.AttemptLifecycle.Settings;
import io.backfill.kit.attempt.AttemptListener;
import io.backfill.kit.attempt.LogContext;
import io.backfill.kit.identity.WorkerIdentity;
import io.quarkus.info.GitInfo;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Instance;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.util.Optional;
import org.jboss.logging.MDC;

/** The fetcher's knobs, producer, meters and MDC for the one attempt lifecycle. */
@Singleton
public class AttemptLifecycleProducer {

  /** The configured worker id, else {@code ingest-fetcher@<host>#<pid>}. */
  @Produces
  @Singleton
  WorkerIdentity identity(FetcherConfig config, Instance<GitInfo> git) {
    return WorkerIdentity.of(
        config.workerId(),
        () ->
            "ingest-fetcher@"
                + WorkerIdentity.hostName("unknown-host")
                + "#"
                + WorkerIdentity.pid(),
        git);
  }

  @Produces
  @Singleton
  AttemptLifecycle lifecycle(
      FetcherConfig config,
      WorkerIdentity identity,
      RunEventsPublisher publisher,
      FetchMetrics metrics) {
    Settings settings =
        new Settings(
            identity.workerId(),
            identity.buildSha(),
            config.heartbeatInterval(),
            config.heartbeatInterval().multipliedBy(config.selfFenceAfterIntervals()),
            config.publishTimeout(),
            // RunStarted is not sent again: the claim lapses and a slot claims the job anew.
            new Backoff(Duration.ZERO, 1.0, Duration.ZERO, 0, false, false),
            // No hard deadline: the page in flight is bounded by Graph's timeouts, the run by
            // the ledger's overdue rule.
            Optional.empty(),
            // A command waits for the page in flight and its checkpoint.
            OnStop.ASK_THE_WORK,
            1,
            "fetch-heartbeats");
    AttemptListener meters =
        new AttemptListener() {
          @Override
          public void heartbeat(boolean acknowledged) {
            metrics.heartbeat(acknowledged);
          }
        };
    LogContext mdc = LogContext.of(MDC::put, MDC::remove);
    return new AttemptLifecycle(settings, publisher, meters, mdc);
  }

  void close(@Disposes AttemptLifecycle lifecycle) {
    lifecycle.close();
  }
}
