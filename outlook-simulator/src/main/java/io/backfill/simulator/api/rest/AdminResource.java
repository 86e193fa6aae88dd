package io.backfill.simulator.api.rest;

import io.backfill.simulator.domain.GroundTruth;
import io.backfill.simulator.domain.MailMessage;
import io.backfill.simulator.domain.Mailbox;
import io.backfill.simulator.domain.MailboxRegistry;
import io.backfill.simulator.domain.MailboxSpec;
import io.backfill.simulator.faults.FaultInjector;
import io.backfill.simulator.faults.FaultKind;
import io.backfill.simulator.faults.FaultRule;
import io.backfill.simulator.graph.GraphException;
import io.backfill.simulator.graph.MailboxThrottle;
import io.backfill.simulator.graph.TokenIssuer;
import io.backfill.simulator.metrics.RequestLedger;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * The simulator's own controls, for tests and the demo: mailboxes and their ground truth, new mail,
 * fault rules, Graph limits, token revocation and call counters. Not part of any real API.
 */
@Path("/admin")
@Produces(MediaType.APPLICATION_JSON)
public class AdminResource {

  /** A mailbox as listed. */
  public record MailboxView(
      String address, String userId, int size, long seed, String tenant, int messages) {}

  /** A message's ground truth, with what locates it. */
  public record TruthView(
      String id,
      String internetMessageId,
      String folder,
      Instant receivedDateTime,
      int bodyBytes,
      GroundTruth groundTruth) {}

  /** A fault rule as given in JSON; durations in milliseconds. */
  public record FaultRequest(
      String target,
      String kind,
      Double probability,
      Integer times,
      Long latencyMs,
      Long jitterMs,
      Integer retryAfterSeconds,
      String code,
      String message) {}

  /** An installed fault rule. */
  public record FaultView(
      long id,
      String target,
      String kind,
      double probability,
      int times,
      long latencyMs,
      long jitterMs,
      int retryAfterSeconds,
      String code,
      String message,
      int hits) {}

  /** A request to add or regenerate a mailbox. */
  public record MailboxRequest(String address, int size, Long seed, String tenant) {}

  /** How much new mail arrives. */
  public record DeliveryRequest(int count) {}

  private final MailboxRegistry mailboxes;
  private final FaultInjector faults;
  private final MailboxThrottle throttle;
  private final TokenIssuer tokens;
  private final RequestLedger ledger;

  AdminResource(
      MailboxRegistry mailboxes,
      FaultInjector faults,
      MailboxThrottle throttle,
      TokenIssuer tokens,
      RequestLedger ledger) {
    this.mailboxes = mailboxes;
    this.faults = faults;
    this.throttle = throttle;
    this.tokens = tokens;
    this.ledger = ledger;
  }

  @GET
  @Path("/mailboxes")
  public List<MailboxView> mailboxes() {
    return mailboxes.all().stream().map(AdminResource::view).toList();
  }

  @POST
  @Path("/mailboxes")
  public Response createMailbox(MailboxRequest request) {
    MailboxSpec spec =
        new MailboxSpec(
            request.address(),
            request.size(),
            request.seed() == null ? 1 : request.seed(),
            request.tenant());
    return Response.status(201).entity(view(mailboxes.create(spec))).build();
  }

  @POST
  @Path("/mailboxes/{user}/deliveries")
  public Map<String, Object> deliver(@PathParam("user") String user, DeliveryRequest request) {
    List<MailMessage> arrived = mailboxes.deliver(mailbox(user), request.count());
    return Map.of(
        "delivered", arrived.size(), "ids", arrived.stream().map(MailMessage::id).toList());
  }

  /** Ground truth of a mailbox's messages, oldest first. */
  @GET
  @Path("/mailboxes/{user}/ground-truth")
  public List<TruthView> groundTruth(
      @PathParam("user") String user,
      @QueryParam("offset") @DefaultValue("0") int offset,
      @QueryParam("limit") @DefaultValue("100") int limit) {
    List<MailMessage> snapshot = mailbox(user).snapshot();
    int from = Math.min(Math.max(0, offset), snapshot.size());
    int to = Math.min(snapshot.size(), from + Math.max(0, limit));
    return snapshot.subList(from, to).stream().map(AdminResource::truth).toList();
  }

  @GET
  @Path("/mailboxes/{user}/messages/{id}/ground-truth")
  public TruthView messageTruth(@PathParam("user") String user, @PathParam("id") String id) {
    return mailbox(user).snapshot().stream()
        .filter(m -> m.id().equals(id))
        .findFirst()
        .map(AdminResource::truth)
        .orElseThrow(
            () ->
                new GraphException(
                    404, "ErrorItemNotFound", "The specified object was not found in the store."));
  }

  @GET
  @Path("/faults")
  public List<FaultView> faults() {
    return faults.list().stream().map(AdminResource::view).toList();
  }

  @POST
  @Path("/faults")
  public Response addFault(FaultRequest request) {
    FaultRule rule =
        new FaultRule(
            request.target(),
            FaultKind.fromLabel(request.kind() == null ? "" : request.kind()),
            request.probability() == null ? 1 : request.probability(),
            request.times() == null ? 0 : request.times(),
            Duration.ofMillis(request.latencyMs() == null ? 0 : request.latencyMs()),
            Duration.ofMillis(request.jitterMs() == null ? 0 : request.jitterMs()),
            request.retryAfterSeconds() == null ? 1 : request.retryAfterSeconds(),
            request.code(),
            request.message());
    return Response.status(201).entity(view(faults.add(rule))).build();
  }

  @DELETE
  @Path("/faults")
  public Response clearFaults() {
    faults.clear();
    return Response.noContent().build();
  }

  @DELETE
  @Path("/faults/{id}")
  public Response removeFault(@PathParam("id") long id) {
    return faults.remove(id) ? Response.noContent().build() : Response.status(404).build();
  }

  @GET
  @Path("/graph/limits")
  public MailboxThrottle.Limits limits() {
    return throttle.limits();
  }

  @PUT
  @Path("/graph/limits")
  public MailboxThrottle.Limits setLimits(MailboxThrottle.Limits limits) {
    throttle.limits(limits);
    return throttle.limits();
  }

  /** Sets the lifetime of tokens issued from now on. */
  @PUT
  @Path("/graph/token-lifetime")
  public Map<String, Long> setTokenLifetime(Map<String, Long> body) {
    Long seconds = body.get("seconds");
    if (seconds == null || seconds < 1) {
      throw new IllegalArgumentException("expected {\"seconds\": n} with n >= 1");
    }
    tokens.lifetime(Duration.ofSeconds(seconds));
    return Map.of("seconds", seconds);
  }

  /** Revokes the tokens of a tenant (or every tenant): the next Graph call gets 401. */
  @POST
  @Path("/graph/tokens/revocations")
  public Map<String, Integer> revokeTokens(@QueryParam("tenant") String tenant) {
    return Map.of("revoked", tokens.revokeAll(tenant));
  }

  @GET
  @Path("/counters")
  public List<RequestLedger.Count> counters() {
    return ledger.counts();
  }

  @DELETE
  @Path("/counters")
  public Response resetCounters() {
    ledger.reset();
    return Response.noContent().build();
  }

  private Mailbox mailbox(String user) {
    return mailboxes
        .find(user)
        .orElseThrow(
            () ->
                new GraphException(
                    404, "ErrorItemNotFound", "The requested user '" + user + "' is invalid."));
  }

  private static MailboxView view(Mailbox m) {
    return new MailboxView(
        m.address(),
        m.userId(),
        m.spec().size(),
        m.spec().seed(),
        m.spec().tenant(),
        m.snapshot().size());
  }

  private static TruthView truth(MailMessage m) {
    return new TruthView(
        m.id(),
        m.internetMessageId(),
        m.folder(),
        m.receivedDateTime(),
        m.textBody().getBytes(StandardCharsets.UTF_8).length,
        m.groundTruth());
  }

  private static FaultView view(FaultInjector.ActiveFault f) {
    FaultRule r = f.rule();
    return new FaultView(
        f.id(),
        r.target(),
        r.kind().label(),
        r.probability(),
        r.times(),
        r.latency().toMillis(),
        r.jitter().toMillis(),
        r.retryAfterSeconds(),
        r.errorCode(),
        r.errorMessage(),
        f.hits().get());
  }
}
