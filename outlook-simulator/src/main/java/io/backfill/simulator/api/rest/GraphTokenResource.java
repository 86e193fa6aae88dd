package io.backfill.simulator.api.rest;

import io.backfill.simulator.graph.TokenIssuer;
import io.backfill.simulator.metrics.RequestLedger;
import io.vertx.ext.web.RoutingContext;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.FormParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The identity platform's token endpoint for the client-credentials grant: {@code POST
 * /{tenant}/oauth2/v2.0/token}. Point a client's authority (login) base URL here.
 */
@Path("/{tenant}/oauth2/v2.0/token")
public class GraphTokenResource {

  private final TokenIssuer tokens;
  private final RequestLedger ledger;

  GraphTokenResource(TokenIssuer tokens, RequestLedger ledger) {
    this.tokens = tokens;
    this.ledger = ledger;
  }

  @POST
  @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
  @Produces(MediaType.APPLICATION_JSON)
  public Map<String, Object> token(
      @PathParam("tenant") String tenant,
      @FormParam("grant_type") String grantType,
      @FormParam("client_id") String clientId,
      @FormParam("client_secret") String clientSecret,
      @FormParam("scope") String scope,
      RoutingContext context) {
    ledger.track(context, "token", tenant).tenant(tenant);
    String token = tokens.issue(tenant, grantType, clientId, clientSecret, scope);
    long seconds = tokens.lifetime().toSeconds();
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("token_type", "Bearer");
    body.put("expires_in", seconds);
    body.put("ext_expires_in", seconds);
    body.put("access_token", token);
    return body;
  }
}
