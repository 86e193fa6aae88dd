package io.backfill.simulator.api.rest;

import io.backfill.simulator.graph.Directory;
import io.backfill.simulator.graph.DirectoryRegistry;
import io.backfill.simulator.graph.GraphException;
import io.backfill.simulator.graph.TokenIssuer;
import io.backfill.simulator.graph.VerifiedDomain;
import io.backfill.simulator.metrics.RequestLedger;
import io.vertx.ext.web.RoutingContext;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.UriInfo;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Graph's {@code GET /v1.0/organization}: the token's own directory and nothing else, with its
 * verified domains. {@code $select} picks properties as Graph does; no other query option is
 * served.
 */
@Path("/v1.0/organization")
public class GraphOrganizationResource {

  /** The organization properties the simulator models, in the order Graph lists them. */
  private static final List<String> PROPERTIES =
      List.of("id", "displayName", "tenantType", "verifiedDomains");

  private final TokenIssuer tokens;
  private final DirectoryRegistry directories;
  private final RequestLedger ledger;

  GraphOrganizationResource(
      TokenIssuer tokens, DirectoryRegistry directories, RequestLedger ledger) {
    this.tokens = tokens;
    this.directories = directories;
    this.ledger = ledger;
  }

  @GET
  @Produces(MediaType.APPLICATION_JSON)
  public Map<String, Object> organization(
      @HeaderParam("Authorization") String authorization,
      @Context UriInfo uri,
      RoutingContext context) {
    RequestLedger.Call call = ledger.track(context, "organization", null);
    TokenIssuer.Grant grant = tokens.check(authorization);
    call.tenant(grant.tenant());
    call.target(grant.tenant());
    call.clientId(grant.clientId());
    List<String> select = select(uri);
    Directory directory = directories.require(grant.tenant());
    Map<String, Object> all = new LinkedHashMap<>();
    all.put("id", directory.id());
    all.put("displayName", directory.displayName());
    all.put("tenantType", "AAD");
    all.put(
        "verifiedDomains",
        directories.verifiedDomains(directory).stream().map(this::domain).toList());
    Map<String, Object> organization = new LinkedHashMap<>();
    for (String property : select.isEmpty() ? PROPERTIES : select) {
      organization.put(property, all.get(property));
    }
    Map<String, Object> body = new LinkedHashMap<>();
    body.put(
        "@odata.context",
        uri.getBaseUri().resolve("v1.0/$metadata").toString()
            + "#organization"
            + (select.isEmpty() ? "" : "(" + String.join(",", select) + ")"));
    body.put("value", List.of(organization));
    return body;
  }

  private Map<String, Object> domain(VerifiedDomain domain) {
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("capabilities", "Email, OfficeCommunicationsOnline");
    json.put("isDefault", domain.isDefault());
    json.put("isInitial", domain.isInitial());
    json.put("name", domain.name());
    json.put("type", "Managed");
    return json;
  }

  private static List<String> select(UriInfo uri) {
    List<String> select = new ArrayList<>();
    for (Map.Entry<String, List<String>> option : uri.getQueryParameters().entrySet()) {
      if (!option.getKey().equals("$select")) {
        throw GraphException.badRequest(
            "Query option '"
                + option.getKey()
                + "' is not supported by this simulator on organization.");
      }
      for (String property : option.getValue().get(0).split(",")) {
        String name = property.trim();
        if (!PROPERTIES.contains(name)) {
          throw new GraphException(
              400,
              "RequestBroker--ParseUri",
              "Could not find a property named '"
                  + name
                  + "' on type 'microsoft.graph.organization'.");
        }
        if (!select.contains(name)) {
          select.add(name);
        }
      }
    }
    return select;
  }
}
