package io.backfill.simulator.api.rest;

import io.backfill.simulator.domain.GroundTruth;
import io.backfill.simulator.domain.MailMessage;
import io.backfill.simulator.domain.Mailbox;
import io.backfill.simulator.domain.MailboxRegistry;
import io.backfill.simulator.domain.MailboxSpec;
import io.backfill.simulator.domain.MessageList;
import io.backfill.simulator.faults.FaultInjector;
import io.backfill.simulator.faults.FaultKind;
import io.backfill.simulator.faults.FaultRule;
import io.backfill.simulator.graph.GraphException;
import io.backfill.simulator.graph.MailFolders;
import io.backfill.simulator.graph.MailboxThrottle;
import io.backfill.simulator.graph.MessageJson;
import io.backfill.simulator.graph.TokenIssuer;
import io.backfill.simulator.metrics.RequestLedger;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PATCH;
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

  /** A message's ground truth, with what locates it and its version. */
  public record TruthView(
      String id,
      String internetMessageId,
      String folder,
      String folderId,
      String changeKey,
      String subject,
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

  /** How much new mail arrives, where (default inbox) and when (default now). */
  public record DeliveryRequest(int count, String folder, Instant receivedAt) {}

  /** A change to a message; null fields stay. */
  public record MessageChange(String subject, String body, List<String> categories) {}

  /** Where a message moves: a well-known folder name or a folder id. */
  public record MoveRequest(String destination) {}

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
    Mailbox mailbox = mailbox(user);
    String folder = request.folder() == null ? null : folder(mailbox, request.folder());
    List<MailMessage> arrived =
        mailboxes.deliver(mailbox, request.count(), folder, request.receivedAt());
    return Map.of(
        "delivered", arrived.size(), "ids", arrived.stream().map(MailMessage::id).toList());
  }

  @GET
  @Path("/mailboxes/{user}/folders")
  public List<MailFolders.Folder> folders(@PathParam("user") String user) {
    return MailFolders.of(mailbox(user).address());
  }

  /** Changes a message's subject, body or categories: a new changeKey, seen by delta. */
  @PATCH
  @Path("/mailboxes/{user}/messages/{id}")
  public Map<String, Object> changeMessage(
      @PathParam("user") String user, @PathParam("id") String id, MessageChange change) {
    if (change == null) {
      throw new IllegalArgumentException("expected {subject?, body?, categories?}");
    }
    MailMessage changed =
        mailboxes
            .update(mailbox(user), id, change.subject(), change.body(), change.categories())
            .orElseThrow(AdminResource::noMessage);
    return Map.of(
        "id",
        changed.id(),
        "changeKey",
        changed.changeKey(),
        "lastModifiedDateTime",
        changed.lastModifiedDateTime().toString());
  }

  /** Moves a message to another folder; under Graph's default ids it gets a new id. */
  @POST
  @Path("/mailboxes/{user}/messages/{id}/move")
  public Map<String, Object> moveMessage(
      @PathParam("user") String user, @PathParam("id") String id, MoveRequest request) {
    Mailbox mailbox = mailbox(user);
    if (request == null || request.destination() == null) {
      throw new IllegalArgumentException("expected {destination}");
    }
    String folder = folder(mailbox, request.destination());
    MailMessage moved = mailboxes.move(mailbox, id, folder).orElseThrow(AdminResource::noMessage);
    return Map.of("id", moved.id(), "folder", MessageJson.folderId(mailbox.address(), folder));
  }

  @DELETE
  @Path("/mailboxes/{user}/messages/{id}")
  public Response deleteMessage(@PathParam("user") String user, @PathParam("id") String id) {
    if (!mailboxes.delete(mailbox(user), id)) {
      throw noMessage();
    }
    return Response.noContent().build();
  }

  /** Every delta and skip token of the mailbox issued before now answers 410 from now on. */
  @POST
  @Path("/mailboxes/{user}/delta-tokens/expiry")
  public Response expireDeltaTokens(@PathParam("user") String user) {
    mailboxes.expireTokens(mailbox(user));
    return Response.noContent().build();
  }

  private static String folder(Mailbox mailbox, String nameOrId) {
    return MailFolders.resolve(mailbox.address(), nameOrId)
        .orElseThrow(
            () ->
                new GraphException(
                    404, "ErrorItemNotFound", "The folder '" + nameOrId + "' was not found."));
  }

  private static GraphException noMessage() {
    return new GraphException(
        404, "ErrorItemNotFound", "The specified object was not found in the store.");
  }

  /** Ground truth of a mailbox's messages, oldest first. */
  @GET
  @Path("/mailboxes/{user}/ground-truth")
  public List<TruthView> groundTruth(
      @PathParam("user") String user,
      @QueryParam("offset") @DefaultValue("0") int offset,
      @QueryParam("limit") @DefaultValue("100") int limit) {
    Mailbox mailbox = mailbox(user);
    MessageList snapshot = mailbox.snapshot();
    int from = Math.min(Math.max(0, offset), snapshot.size());
    int to = Math.min(snapshot.size(), from + Math.max(0, limit));
    return snapshot.subList(from, to).stream().map(m -> truth(m, mailbox.address())).toList();
  }

  @GET
  @Path("/mailboxes/{user}/messages/{id}/ground-truth")
  public TruthView messageTruth(@PathParam("user") String user, @PathParam("id") String id) {
    Mailbox mailbox = mailbox(user);
    return mailbox
        .state()
        .message(id)
        .map(m -> truth(m, mailbox.address()))
        .orElseThrow(AdminResource::noMessage);
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

  private static TruthView truth(MailMessage m, String mailbox) {
    return new TruthView(
        m.id(),
        m.internetMessageId(),
        m.folder(),
        MessageJson.folderId(mailbox, m.folder()),
        m.changeKey(),
        m.subject(),
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
