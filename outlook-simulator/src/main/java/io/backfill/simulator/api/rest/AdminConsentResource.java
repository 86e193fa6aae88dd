package io.backfill.simulator.api.rest;

import io.backfill.simulator.graph.AdminConsent;
import io.backfill.simulator.metrics.RequestLedger;
import io.vertx.ext.web.RoutingContext;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.UUID;

/**
 * The identity platform's admin-consent endpoint, {@code GET /{tenant}/adminconsent}, where an app
 * sends a directory's administrator to consent to it for the whole directory. Answers a 302 to the
 * app's redirect URI, or the identity platform's error page (400, HTML) when the request names an
 * unknown app, an unregistered redirect URI or no directory.
 */
@Path("/{tenant}/adminconsent")
public class AdminConsentResource {

  private final AdminConsent consent;
  private final RequestLedger ledger;

  AdminConsentResource(AdminConsent consent, RequestLedger ledger) {
    this.consent = consent;
    this.ledger = ledger;
  }

  @GET
  public Response adminConsent(
      @PathParam("tenant") String tenant,
      @QueryParam("client_id") String clientId,
      @QueryParam("redirect_uri") String redirectUri,
      @QueryParam("state") String state,
      @QueryParam("login_hint") String loginHint,
      RoutingContext context) {
    RequestLedger.Call call = ledger.track(context, "adminconsent", tenant);
    call.clientId(clientId);
    AdminConsent.Outcome outcome = consent.answer(tenant, clientId, redirectUri, state, loginHint);
    call.tenant(outcome.directory());
    if (outcome instanceof AdminConsent.Redirect redirect) {
      if (redirect.error() != null) {
        call.error(redirect.error());
      }
      // The location is sent as built: it is already encoded and must not be re-encoded.
      return Response.status(302).header(HttpHeaders.LOCATION, redirect.location()).build();
    }
    AdminConsent.ErrorPage page = (AdminConsent.ErrorPage) outcome;
    call.error("AADSTS" + page.aadstsCode());
    return Response.status(400)
        .type(MediaType.TEXT_HTML_TYPE.withCharset("UTF-8"))
        .entity(errorPage(page))
        .build();
  }

  private static String errorPage(AdminConsent.ErrorPage page) {
    String message = "AADSTS" + page.aadstsCode() + ": " + page.message();
    return "<!DOCTYPE html>\n<html><head><title>Sign in to your account</title></head><body>\n"
        + "<h1>Sorry, but we’re having trouble signing you in.</h1>\n"
        + "<p id=\"error\">"
        + escape(message)
        + "</p>\n<p>Request Id: "
        + UUID.randomUUID()
        + "<br>Correlation Id: "
        + UUID.randomUUID()
        + "<br>Timestamp: "
        + Instant.now().truncatedTo(ChronoUnit.SECONDS)
        + "</p>\n</body></html>\n";
  }

  /** Request values appear on the page; escaped so they cannot become markup. */
  private static String escape(String text) {
    StringBuilder escaped = new StringBuilder(text.length());
    for (char c : text.toCharArray()) {
      switch (c) {
        case '<' -> escaped.append("&lt;");
        case '>' -> escaped.append("&gt;");
        case '&' -> escaped.append("&amp;");
        case '"' -> escaped.append("&quot;");
        case '\'' -> escaped.append("&#39;");
        default -> escaped.append(c);
      }
    }
    return escaped.toString();
  }
}
