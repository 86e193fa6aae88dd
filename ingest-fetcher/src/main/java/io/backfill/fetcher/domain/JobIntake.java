package io.backfill.fetcher.domain;

import io.backfill.contracts.deadletter.DeadLetterText;
import io.backfill.contracts.event.BackfillRequested;
import io.backfill.contracts.event.JobAccepted;
import io.backfill.contracts.event.JobRejected;
import io.backfill.contracts.id.JobId;
import io.backfill.fetcher.config.FetcherConfig;
import io.backfill.fetcher.graph.GatewayGraphConnections;
import io.backfill.fetcher.graph.GraphConnections;
import io.backfill.fetcher.graph.GraphRequestRejected;
import io.backfill.fetcher.graph.VerifiedDomains;
import io.backfill.fetcher.messaging.JobEventsPublisher;
import io.backfill.fetcher.persistence.JobRow;
import io.backfill.fetcher.persistence.JobStore;
import io.backfill.fetcher.tenant.TenantRegistry;
import io.backfill.fetcher.tenant.TenantStatus;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.temporal.ChronoUnit;
import java.util.Objects;
import java.util.Optional;
import org.jboss.logging.Logger;
import org.jboss.logging.MDC;

/**
 * Turns a backfill request into a pending job and tells {@code job.events}: JobAccepted, or
 * JobRejected with the reason when the request cannot be a job.
 *
 * <p>No field of a request is trusted: the tenant must be registered and active ({@link
 * TenantRegistry}, else {@code unknown-tenant} / {@code tenant-suspended}) and have a Graph
 * connection, and the mailbox must be in one of the verified domains of that connection's directory
 * ({@code mailbox-outside-directory}), checked here so that no job, and no Graph call for its
 * messages, ever exists for a mailbox outside it. A registry, connection source or Graph that
 * cannot answer fails the intake like the database would: retried, never a rejection.
 *
 * <p>The job id is derived from (tenantId, requestId), so a repeated request is the same job.
 * Intake is (a) insert the job if absent in one short transaction, (b) publish JobAccepted and wait
 * for the broker's ack outside any transaction (a slow broker must not hold a database connection
 * or lock), then (c) mark it published in another short transaction. A repeated request finds the
 * flag set and publishes nothing. A crash between (b) and (c) leaves the flag unset, so the
 * redelivered request publishes JobAccepted again: at-least-once, which is fine because consumers
 * of {@code job.events} key on jobId. Publishing before inserting could announce a job that was
 * never stored; this order never loses one.
 */
@ApplicationScoped
public class JobIntake {

  private static final Logger LOG = Logger.getLogger(JobIntake.class);

  private final JobStore store;
  private final RequestValidator validator;
  private final JobEventsPublisher publisher;
  private final IntakeMetrics metrics;
  private final FetchRunner runner;
  private final GraphConnections connections;
  private final TenantRegistry tenants;
  private final VerifiedDomains domains;
  private final TransientRetry retry;
  private final boolean startAcceptedJobs;

  JobIntake(
      JobStore store,
      RequestValidator validator,
      JobEventsPublisher publisher,
      IntakeMetrics metrics,
      FetchRunner runner,
      GraphConnections connections,
      TenantRegistry tenants,
      VerifiedDomains domains,
      TransientRetry retry,
      FetcherConfig config) {
    this.connections = connections;
    this.tenants = tenants;
    this.domains = domains;
    this.retry = retry;
    this.store = store;
    this.validator = validator;
    this.publisher = publisher;
    this.metrics = metrics;
    this.runner = runner;
    this.startAcceptedJobs = config.startAcceptedJobs();
  }

  /**
   * Takes one request. Throws (so the record goes to the dead-letter topic) only when the database
   * or the broker fails, transient database and gateway failures after a few retries; that failure
   * is logged and counted here, with the ids, and nowhere else.
   */
  public IntakeOutcome take(BackfillRequested request) {
    JobId jobId = JobId.derive(request.tenantId(), request.requestId());
    MDC.put("tenantId", request.tenantId());
    MDC.put("jobId", jobId.value());
    try {
      // Intake is idempotent (the job id is derived), so a transient failure is simply retried.
      IntakeOutcome outcome =
          retry.call(
              "intake",
              "request "
                  + request.requestId()
                  + " (tenant "
                  + request.tenantId()
                  + ", job "
                  + jobId
                  + ")",
              () -> intake(jobId, request));
      metrics.count(outcome);
      if (outcome != IntakeOutcome.REJECTED && startAcceptedJobs) {
        startFetch(jobId);
      }
      return outcome;
    } catch (RuntimeException e) {
      metrics.count(IntakeOutcome.FAILED);
      LOG.errorf(
          e,
          "intake of request %s failed (tenant %s, job %s): %s",
          request.requestId(),
          request.tenantId(),
          jobId,
          e.getMessage());
      throw e;
    } finally {
      MDC.remove("tenantId");
      MDC.remove("jobId");
    }
  }

  /**
   * Starts the job's fetch run if it is still pending (a repeated request also starts a job whose
   * start was lost in a crash). A failure here leaves the job pending and the request taken: the
   * job is stored and announced, and a Resume starts it.
   */
  private void startFetch(JobId jobId) {
    try {
      runner.start(jobId, FetchRunner.NEW, "accepted");
    } catch (RuntimeException e) {
      LOG.errorf(e, "could not start the fetch of job %s; it stays pending", jobId);
    }
  }

  private IntakeOutcome intake(JobId jobId, BackfillRequested request) {
    // A reason may echo the input (a mailbox of megabytes): it is cut to 1 KiB, for the event
    // and the log alike.
    Optional<String> problem =
        validator
            .problemWith(request)
            .or(() -> tenantProblem(request))
            .map(DeadLetterText::truncate);
    if (problem.isPresent()) {
      publisher.publish(JobRejected.of(request, problem.get()));
      LOG.infof(
          "rejected request %s (tenant %s, job %s): %s",
          request.requestId(), request.tenantId(), jobId, problem.get());
      return IntakeOutcome.REJECTED;
    }

    // (a) the job, once, and whether its JobAccepted was already acknowledged
    Registered registered =
        QuarkusTransaction.requiringNew()
            .call(
                () -> {
                  boolean inserted = store.insertIfAbsent(jobId, request);
                  JobRow row =
                      store
                          .find(jobId)
                          .orElseThrow(
                              () -> new IllegalStateException("job " + jobId + " vanished"));
                  return new Registered(inserted, row);
                });
    boolean created = registered.created();
    JobRow job = registered.job();
    if (!created) {
      warnIfReusedWithOtherParameters(job, request);
    }
    // (b) JobAccepted, acknowledged, outside any transaction; (c) remembered
    if (!job.acceptedPublished()) {
      publisher.publish(JobAccepted.of(request));
      QuarkusTransaction.requiringNew().run(() -> store.markAcceptedPublished(jobId));
      LOG.infof(
          "accepted request %s as job %s (tenant %s, mailbox %s, %s to %s)",
          request.requestId(),
          jobId,
          request.tenantId(),
          request.mailbox(),
          request.from(),
          request.to());
    }
    return created ? IntakeOutcome.ACCEPTED : IntakeOutcome.DUPLICATE;
  }

  /**
   * The rejection reason when the tenant may not have this job: {@code unknown-tenant} (not in the
   * registry, or no Graph connection at the gateway), {@code tenant-suspended}, {@code
   * mailbox-outside-directory}, or {@code directory-refused} (the directory would not tell its
   * domains; the job could not have fetched anything either).
   */
  private Optional<String> tenantProblem(BackfillRequested request) {
    Optional<String> problem = registryProblem(request);
    if (problem.isPresent()) {
      return problem;
    }
    try {
      if (!domains.inDirectoryOf(request.tenantId(), request.mailbox())) {
        return Optional.of(RejectionReason.MAILBOX_OUTSIDE_DIRECTORY);
      }
    } catch (GraphRequestRejected refused) {
      LOG.warnf(
          "the directory of tenant %s refused to tell its verified domains (request %s): %s",
          request.tenantId(), request.requestId(), refused.getMessage());
      return Optional.of(RejectionReason.DIRECTORY_REFUSED);
    }
    return Optional.empty();
  }

  private Optional<String> registryProblem(BackfillRequested request) {
    TenantStatus status = tenants.statusOf(request.tenantId());
    if (status == TenantStatus.SUSPENDED) {
      return Optional.of(RejectionReason.TENANT_SUSPENDED);
    }
    if (status == TenantStatus.UNKNOWN) {
      return Optional.of(RejectionReason.UNKNOWN_TENANT);
    }
    try {
      if (connections.of(request.tenantId()).isEmpty()) {
        return Optional.of(RejectionReason.UNKNOWN_TENANT);
      }
    } catch (GraphRequestRejected refused) {
      // Suspended between the registry's cached answer and this call.
      if (GatewayGraphConnections.TENANT_SUSPENDED.equals(refused.code())) {
        return Optional.of(RejectionReason.TENANT_SUSPENDED);
      }
      throw refused;
    }
    return Optional.empty();
  }

  private record Registered(boolean created, JobRow job) {}

  private void warnIfReusedWithOtherParameters(JobRow job, BackfillRequested request) {
    boolean same =
        job.mailbox().equals(request.mailbox())
            && job.windowFrom().equals(request.from().truncatedTo(ChronoUnit.MICROS))
            && job.windowTo().equals(request.to().truncatedTo(ChronoUnit.MICROS))
            && Objects.equals(job.folder(), request.folder());
    if (!same) {
      LOG.warnf(
          "request %s (tenant %s, job %s) was repeated with other parameters; the job keeps the"
              + " first ones (mailbox %s, %s to %s)",
          request.requestId(),
          request.tenantId(),
          job.jobId(),
          job.mailbox(),
          job.windowFrom(),
          job.windowTo());
    }
  }
}
