package io.backfill.fetcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.backfill.contracts.event.BackfillRequested;
import io.backfill.contracts.event.JobAccepted;
import io.backfill.contracts.event.JobEvent;
import io.backfill.contracts.event.JobRejected;
import io.backfill.contracts.id.JobId;
import io.backfill.contracts.serde.EventJson;
import io.backfill.contracts.topic.Topics;
import io.backfill.fetcher.persistence.JobStore;
import io.backfill.testkit.BackfillInfrastructure;
import io.backfill.testkit.KafkaBroker;
import io.backfill.testkit.RecordTap;
import io.backfill.testkit.TestProducer;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A request's mailbox must be in a verified domain of its tenant's directory, asked of Graph with
 * the tenant's own token: tenants' connections from {@link GatewayStandIn}, tokens, domains and
 * messages from {@link DirectoryStandIn}.
 */
@QuarkusTest
@WithTestResource(
    value = BackfillInfrastructure.class,
    scope = TestResourceScope.RESTRICTED_TO_CLASS)
@WithTestResource(value = GatewayStandIn.class, scope = TestResourceScope.RESTRICTED_TO_CLASS)
@WithTestResource(value = DirectoryStandIn.class, scope = TestResourceScope.RESTRICTED_TO_CLASS)
class MailboxDomainTest {

  private static final Duration WAIT = Duration.ofSeconds(60);
  private static final Instant FROM = Instant.parse("2025-01-01T00:00:00Z");
  private static final Instant TO = Instant.parse("2025-02-01T00:00:00Z");

  @Inject JobStore store;

  private TestProducer producer;
  private RecordTap jobEvents;
  private String tenant;
  private String directory;

  @BeforeEach
  void setUp() {
    String bootstrap = KafkaBroker.shared().bootstrapServers();
    producer = new TestProducer(bootstrap);
    jobEvents = RecordTap.open(bootstrap, Topics.JOB_EVENTS);
    tenant = "contoso-" + UUID.randomUUID();
    directory = "dir-" + UUID.randomUUID();
    GatewayStandIn.register(tenant, directory, null, null);
    DirectoryStandIn.directory(directory, "contoso.com", "contoso.onmicrosoft.com");
  }

  @AfterEach
  void tearDown() {
    jobEvents.close();
    producer.close();
  }

  @Test
  void mailboxInAVerifiedDomainOfTheTenantsDirectoryIsAccepted() {
    JobId job = submit("Ana@Contoso.com");

    awaitEvent(job, JobAccepted.class);
    assertThat(QuarkusTransaction.requiringNew().call(() -> store.find(job))).isPresent();
    await().atMost(WAIT).until(() -> DirectoryStandIn.fetched().contains("ana@contoso.com"));
  }

  @Test
  void mailboxOutsideTheDirectoryIsRejectedAndNeverFetched() {
    String foreign = "ceo-" + UUID.randomUUID().toString().substring(0, 8) + "@fabrikam.com";

    JobId job = submit(foreign);

    JobRejected rejected = awaitEvent(job, JobRejected.class);
    assertThat(rejected.reason()).isEqualTo("mailbox-outside-directory");
    assertThat(QuarkusTransaction.requiringNew().call(() -> store.find(job))).isEmpty();
    assertThat(DirectoryStandIn.fetched()).doesNotContain(foreign.toLowerCase());
  }

  @Test
  void aDirectorysDomainsAreAskedOnceForManyRequests() {
    JobId inside = submit("bo@contoso.onmicrosoft.com");
    JobId outside = submit("bo@contoso.org");
    JobId again = submit("cy@contoso.com");

    awaitEvent(inside, JobAccepted.class);
    assertThat(awaitEvent(outside, JobRejected.class).reason())
        .isEqualTo("mailbox-outside-directory");
    awaitEvent(again, JobAccepted.class);
    assertThat(DirectoryStandIn.organizationCalls(directory)).isEqualTo(1);
  }

  private JobId submit(String mailbox) {
    BackfillRequested request =
        BackfillRequested.of(tenant, "req-" + UUID.randomUUID(), mailbox, FROM, TO, null);
    producer.send(Topics.BACKFILL_REQUESTS, request.key(), EventJson.toJson(request));
    return JobId.derive(tenant, request.requestId());
  }

  private <T extends JobEvent> T awaitEvent(JobId job, Class<T> type) {
    await("a " + type.getSimpleName() + " of job " + job)
        .atMost(WAIT)
        .until(() -> eventsOf(job).stream().anyMatch(type::isInstance));
    return eventsOf(job).stream()
        .filter(type::isInstance)
        .map(type::cast)
        .findFirst()
        .orElseThrow();
  }

  private List<JobEvent> eventsOf(JobId job) {
    return jobEvents.records().stream()
        .filter(r -> job.value().equals(r.key()))
        .map(r -> EventJson.fromJson(r.value(), JobEvent.class))
        .toList();
  }
}
