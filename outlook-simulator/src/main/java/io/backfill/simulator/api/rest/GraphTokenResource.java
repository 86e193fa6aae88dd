package io.backfill.simulator.api.rest;

import io.backfill.simulator.graph.AadException;
import io.backfill.simulator.graph.Directory;
import io.backfill.simulator.graph.DirectoryRegistry;
import io.backfill.simulator.graph.TokenIssuer;
import io.backfill.simulator.metrics.RequestLedger;
import io.vertx.ext.web.RoutingContext;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.FormParam;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.UriInfo;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The identity platform's token endpoint for the client-credentials grant, {@code POST
 * /{tenant}/oauth2/v2.0/token}, and its OpenID discovery document. Point a client's authority
 * (login) base URL here.
 */
@Path("/")
public class GraphTokenResource {

  private final TokenIssuer tokens;
  private final DirectoryRegistry directories;
  private final RequestLedger ledger;

  GraphTokenResource(TokenIssuer tokens, DirectoryRegistry directories, RequestLedger ledger) {
    this.tokens = tokens;
    this.directories = directories;
    this.ledger = ledger;
  }

  @POST
  @Path("/{tenant}/oauth2/v2.0/token")
  @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
  @Produces(MediaType.APPLICATION_JSON)
  public Map<String, Object> token(
      @PathParam("tenant") String tenant,
      @FormParam("grant_type") String grantType,
      @FormParam("client_id") String clientId,
      @FormParam("client_secret") String clientSecret,
      @FormParam("scope") String scope,
      @HeaderParam("Authorization") String authorization,
      RoutingContext context) {
    RequestLedger.Call call = ledger.track(context, "token", tenant);
    call.tenant(tenant);
    String token;
    try {
      // client_secret_basic: the identity platform also takes the app's credentials as HTTP Basic.
      if (clientId == null && authorization != null && authorization.startsWith("Basic ")) {
        String[] basic = basicCredentials(authorization.substring(6).trim());
        clientId = basic[0];
        clientSecret = basic[1];
      }
      call.clientId(clientId);
      Directory directory = directories.require(tenant);
      call.tenant(directory.id());
      token = tokens.issue(directory, grantType, clientId, clientSecret, scope);
    } catch (AadException e) {
      // Counted with its code so a test can tell a consent refusal from a wrong secret.
      call.error("AADSTS" + e.aadstsCode());
      throw e;
    }
    long seconds = tokens.lifetime().toSeconds();
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("token_type", "Bearer");
    body.put("expires_in", seconds);
    body.put("ext_expires_in", seconds);
    body.put("access_token", token);
    return body;
  }

  /** OpenID discovery, for clients that find the token endpoint from it. */
  @GET
  @Path("/{tenant}/v2.0/.well-known/openid-configuration")
  @Produces(MediaType.APPLICATION_JSON)
  public Map<String, Object> openIdConfiguration(
      @PathParam("tenant") String tenant, @Context UriInfo uri) {
    directories.require(tenant);
    String base = uri.getBaseUri().toString();
    String root = base.endsWith("/") ? base + tenant : base + "/" + tenant;
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("issuer", "https://login.microsoftonline.com/" + tenant + "/v2.0");
    body.put("token_endpoint", root + "/oauth2/v2.0/token");
    body.put("authorization_endpoint", root + "/oauth2/v2.0/authorize");
    body.put("jwks_uri", root + "/discovery/v2.0/keys");
    body.put(
        "token_endpoint_auth_methods_supported",
        List.of("client_secret_post", "private_key_jwt", "client_secret_basic"));
    body.put(
        "response_types_supported", List.of("code", "id_token", "code id_token", "id_token token"));
    body.put("scopes_supported", List.of("openid", "profile", "email", "offline_access"));
    body.put("subject_types_supported", List.of("pairwise"));
    body.put("id_token_signing_alg_values_supported", List.of("RS256"));
    return body;
  }

  private static String[] basicCredentials(String encoded) {
    String decoded;
    try {
      decoded = new String(Base64.getDecoder().decode(encoded), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      throw new AadException(
          401,
          "invalid_client",
          7000216,
          "The client credentials in the Authorization header could not be decoded.");
    }
    int colon = decoded.indexOf(':');
    if (colon < 0) {
      throw new AadException(
          401,
          "invalid_client",
          7000216,
          "The client credentials in the Authorization header are not id:secret.");
    }
    // RFC 6749 §2.3.1: id and secret are form-encoded before Basic encoding.
    return new String[] {
      URLDecoder.decode(decoded.substring(0, colon), StandardCharsets.UTF_8),
      URLDecoder.decode(decoded.substring(colon + 1), StandardCharsets.UTF_8)
    };
  }
}
