package io.backfill.simulator.api.rest;

import io.backfill.simulator.domain.MailMessage;
import io.backfill.simulator.domain.Mailbox;
import io.backfill.simulator.domain.MailboxRegistry;
import io.backfill.simulator.domain.MessageList;
import io.backfill.simulator.faults.FaultInjector;
import io.backfill.simulator.faults.FaultKind;
import io.backfill.simulator.faults.FaultRule;
import io.backfill.simulator.faults.FaultedResponse;
import io.backfill.simulator.graph.DeltaService;
import io.backfill.simulator.graph.GraphException;
import io.backfill.simulator.graph.MailFolders;
import io.backfill.simulator.graph.MailboxThrottle;
import io.backfill.simulator.graph.MessageJson;
import io.backfill.simulator.graph.MessagePager;
import io.backfill.simulator.graph.MessageQuery;
import io.backfill.simulator.graph.TokenIssuer;
import io.backfill.simulator.metrics.RequestLedger;
import io.smallrye.mutiny.Uni;
import io.vertx.ext.web.RoutingContext;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.MultivaluedMap;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Graph's message lists: {@code GET /v1.0/users/{user}/messages} and {@code
 * /v1.0/users/{user}/mailFolders/{folder}/messages}, with OData query options, paging by
 * {@code @odata.nextLink}, the Prefer header for text bodies, throttling and injected faults.
 */
@Path("/v1.0/users/{user}")
public class GraphMessagesResource {

  private static final String TEXT_PREFERENCE = "outlook.body-content-type=\"text\"";

  private final MailboxRegistry mailboxes;
  private final TokenIssuer tokens;
  private final MailboxThrottle throttle;
  private final FaultInjector faults;
  private final RequestLedger ledger;
  private final DeltaService delta;

  GraphMessagesResource(
      MailboxRegistry mailboxes,
      TokenIssuer tokens,
      MailboxThrottle throttle,
      FaultInjector faults,
      RequestLedger ledger,
      DeltaService delta) {
    this.delta = delta;
    this.mailboxes = mailboxes;
    this.tokens = tokens;
    this.throttle = throttle;
    this.faults = faults;
    this.ledger = ledger;
  }

  @GET
  @Path("/messages")
  public Uni<Response> messages(
      @PathParam("user") String user,
      @HeaderParam("Authorization") String authorization,
      @HeaderParam("Prefer") String prefer,
      @Context UriInfo uri,
      RoutingContext context) {
    return list(user, null, authorization, prefer, uri, context);
  }

  @GET
  @Path("/mailFolders/{folder}/messages")
  public Uni<Response> folderMessages(
      @PathParam("user") String user,
      @PathParam("folder") String folder,
      @HeaderParam("Authorization") String authorization,
      @HeaderParam("Prefer") String prefer,
      @Context UriInfo uri,
      RoutingContext context) {
    return list(user, folder, authorization, prefer, uri, context);
  }

  @GET
  @Path(
      "/mailFolders/{folder}/messages/{function: delta|delta\\(\\)|microsoft\\.graph\\.delta\\(\\)}")
  public Uni<Response> messagesDelta(
      @PathParam("user") String user,
      @PathParam("folder") String folderName,
      @HeaderParam("Authorization") String authorization,
      @Context UriInfo uri,
      RoutingContext context) {
    RequestLedger.Call call = ledger.track(context, "messages.delta", user);
    Caller caller = readableMailbox(call, user, authorization);
    Mailbox mailbox = caller.mailbox();
    String folder = folder(mailbox, folderName);
    admit(caller, context);
    List<String> prefer = context.request().headers().getAll("Prefer");
    DeltaService.Request request =
        delta.messagesRequest(mailbox, folder, options(uri.getQueryParameters()), prefer);
    FaultInjector.Decision decision = faults.decide(mailbox.address(), FaultKind.Surface.GRAPH);
    return FaultedResponse.play(
        decision,
        context,
        () -> {
          failIfFaulted(decision.fault(), authorization);
          return answer(delta.messagesPage(mailbox, request, uri.getRequestUri()));
        });
  }

  @GET
  @Path("/mailFolders/{function: delta|delta\\(\\)|microsoft\\.graph\\.delta\\(\\)}")
  public Uni<Response> foldersDelta(
      @PathParam("user") String user,
      @HeaderParam("Authorization") String authorization,
      @Context UriInfo uri,
      RoutingContext context) {
    RequestLedger.Call call = ledger.track(context, "mailFolders.delta", user);
    Caller caller = readableMailbox(call, user, authorization);
    Mailbox mailbox = caller.mailbox();
    admit(caller, context);
    List<String> prefer = context.request().headers().getAll("Prefer");
    DeltaService.Request request =
        delta.foldersRequest(mailbox, options(uri.getQueryParameters()), prefer);
    FaultInjector.Decision decision = faults.decide(mailbox.address(), FaultKind.Surface.GRAPH);
    return FaultedResponse.play(
        decision,
        context,
        () -> {
          failIfFaulted(decision.fault(), authorization);
          return answer(delta.foldersPage(mailbox, request, uri.getRequestUri()));
        });
  }

  private static Response answer(DeltaService.Answer answer) {
    Response.ResponseBuilder response = Response.ok(answer.body(), MediaType.APPLICATION_JSON);
    if (answer.preferenceApplied() != null) {
      response.header("Preference-Applied", answer.preferenceApplied());
    }
    return response.build();
  }

  /** The token's mailbox, or 401/404 as Graph answers. */
  private Caller readableMailbox(RequestLedger.Call call, String user, String authorization) {
    TokenIssuer.Grant grant = tokens.check(authorization);
    call.tenant(grant.tenant());
    call.clientId(grant.clientId());
    Mailbox mailbox =
        mailboxes
            .find(user)
            .orElseThrow(
                () ->
                    new GraphException(
                        404,
                        "ErrorItemNotFound",
                        "The requested user '" + user + "' is invalid or has no mailbox."));
    // A user of another directory is not in this token's tenant: Graph answers as for a bad user.
    if (!mailbox.spec().readableBy(grant.tenant())) {
      throw new GraphException(
          404, "ErrorInvalidUser", "The requested user '" + user + "' is invalid.");
    }
    return new Caller(mailbox, grant.tenant());
  }

  /** A readable mailbox and the directory of the token that reads it. */
  private record Caller(Mailbox mailbox, String tenant) {}

  /** Outlook's concurrency and request-rate limits, as for every mailbox call. */
  private void admit(Caller caller, RoutingContext context) {
    String address = caller.mailbox().address();
    throttle.acquire(address);
    context.addEndHandler(ended -> throttle.release(address));
    throttle.charge(caller.tenant(), address);
  }

  private Uni<Response> list(
      String user,
      String folderName,
      String authorization,
      String prefer,
      UriInfo uri,
      RoutingContext context) {
    RequestLedger.Call call = ledger.track(context, "messages", user);
    TokenIssuer.Grant grant = tokens.check(authorization);
    call.tenant(grant.tenant());
    call.clientId(grant.clientId());
    Mailbox mailbox =
        mailboxes
            .find(user)
            .orElseThrow(
                () ->
                    new GraphException(
                        404,
                        "ErrorItemNotFound",
                        "The requested user '" + user + "' is invalid or has no mailbox."));
    // A user of another directory is not in this token's tenant: Graph answers as for a bad user.
    if (!mailbox.spec().readableBy(grant.tenant())) {
      throw new GraphException(
          404, "ErrorInvalidUser", "The requested user '" + user + "' is invalid.");
    }
    String folder = folderName == null ? null : folder(mailbox, folderName);
    throttle.acquire(mailbox.address());
    context.addEndHandler(ended -> throttle.release(mailbox.address()));
    throttle.charge(grant.tenant(), mailbox.address());
    MessageQuery query = MessageQuery.parse(options(uri.getQueryParameters()));
    MessageList snapshot = mailbox.snapshot();
    throttle.checkWork(query.top(), MessagePager.windowDays(snapshot, query));
    boolean text = prefer != null && prefer.replace(" ", "").contains(TEXT_PREFERENCE);
    FaultInjector.Decision decision = faults.decide(mailbox.address(), FaultKind.Surface.GRAPH);
    return FaultedResponse.play(
        decision,
        context,
        () -> {
          failIfFaulted(decision.fault(), authorization);
          return page(mailbox, folder, snapshot, query, text, uri);
        });
  }

  private Response page(
      Mailbox mailbox,
      String folder,
      MessageList snapshot,
      MessageQuery query,
      boolean text,
      UriInfo uri) {
    MessagePager.Page page = MessagePager.page(snapshot, query, folder);
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("@odata.context", context(uri, mailbox, folder));
    if (page.count() != null) {
      body.put("@odata.count", page.count());
    }
    List<Object> values = new ArrayList<>(page.messages().size());
    for (MailMessage m : page.messages()) {
      values.add(MessageJson.render(m, mailbox.address(), query.select(), text));
    }
    body.put("value", values);
    if (page.next() != null) {
      body.put("@odata.nextLink", nextLink(uri.getRequestUri(), page.next().encode()));
    }
    Response.ResponseBuilder response = Response.ok(body, MediaType.APPLICATION_JSON);
    if (text) {
      response.header("Preference-Applied", TEXT_PREFERENCE);
    }
    return response.build();
  }

  private void failIfFaulted(FaultRule fault, String authorization) {
    if (fault == null) {
      return;
    }
    String retryAfter = Integer.toString(fault.retryAfterSeconds());
    switch (fault.kind()) {
      case THROTTLE ->
          throw new GraphException(
              429,
              "TooManyRequests",
              "Too many requests. Retry after the time in the Retry-After header.",
              Map.of("Retry-After", retryAfter));
      case UNAVAILABLE ->
          throw new GraphException(
              503,
              "ServiceUnavailable",
              "The service is temporarily unavailable.",
              Map.of("Retry-After", retryAfter));
      case GATEWAY_TIMEOUT -> throw new GraphException(504, "UnknownError", "Gateway Timeout.");
      case SERVER_ERROR ->
          throw new GraphException(
              500, "InternalServerError", "An internal server error occurred.");
      case BAD_REQUEST -> throw new GraphException(400, fault.errorCode(), fault.errorMessage());
      case REVOKE_TOKEN -> {
        tokens.revoke(authorization);
        tokens.check(authorization);
      }
      default -> {
        // latency, hang and reset were played out before the answer
      }
    }
  }

  private static String folder(Mailbox mailbox, String name) {
    return MailFolders.resolve(mailbox.address(), name)
        .orElseThrow(
            () ->
                new GraphException(
                    404, "ErrorItemNotFound", "The specified object was not found in the store."));
  }

  private static Map<String, String> options(MultivaluedMap<String, String> params) {
    Map<String, String> options = new HashMap<>();
    params.forEach((name, values) -> options.put(name, values.get(0)));
    return options;
  }

  private static String context(UriInfo uri, Mailbox mailbox, String folder) {
    URI base = uri.getBaseUri();
    String user = URLEncoder.encode(mailbox.address(), StandardCharsets.UTF_8);
    return base.resolve("v1.0/$metadata").toString()
        + "#users('"
        + user
        + "')"
        + (folder == null ? "" : "/mailFolders('" + folder + "')")
        + "/messages";
  }

  /** The same request with the new skip token: absolute, from the base the client called. */
  static String nextLink(URI request, String skipToken) {
    StringBuilder query = new StringBuilder();
    String raw = request.getRawQuery();
    if (raw != null) {
      for (String part : raw.split("&")) {
        String name = part.contains("=") ? part.substring(0, part.indexOf('=')) : part;
        if (!name.equals("$skiptoken")
            && !name.equalsIgnoreCase("%24skiptoken")
            && !part.isEmpty()) {
          query.append(part).append('&');
        }
      }
    }
    query.append("%24skiptoken=").append(skipToken);
    return request.getScheme()
        + "://"
        + request.getRawAuthority()
        + request.getRawPath()
        + "?"
        + query;
  }
}
