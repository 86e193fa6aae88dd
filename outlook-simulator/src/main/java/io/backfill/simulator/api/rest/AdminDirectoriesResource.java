package io.backfill.simulator.api.rest;

import io.backfill.simulator.graph.ConsentDecision;
import io.backfill.simulator.graph.Directory;
import io.backfill.simulator.graph.DirectoryRegistry;
import io.backfill.simulator.graph.GraphException;
import io.backfill.simulator.graph.TokenIssuer;
import io.backfill.simulator.graph.VerifiedDomain;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jboss.logging.Logger;

/**
 * The simulator's controls over Entra's directories: create one with its verified domains, set what
 * its administrator answers on the admin-consent page, withdraw a consent. Not part of any real
 * API.
 */
@Path("/admin/graph/directories")
@Produces(MediaType.APPLICATION_JSON)
public class AdminDirectoriesResource {

  private static final Logger LOG = Logger.getLogger(AdminDirectoriesResource.class);

  /** A directory as listed. */
  public record DirectoryView(
      String id,
      String displayName,
      List<String> verifiedDomains,
      String defaultDomain,
      String ownClientId,
      Set<String> consentedApps,
      String consentDecision) {}

  /** A directory to create or change; null fields stay as they are. */
  public record DirectoryRequest(String displayName, List<String> verifiedDomains) {}

  /** What the administrator answers: {@code approve} or {@code deny}. */
  public record DecisionRequest(String decision) {}

  private final DirectoryRegistry directories;
  private final TokenIssuer tokens;

  AdminDirectoriesResource(DirectoryRegistry directories, TokenIssuer tokens) {
    this.directories = directories;
    this.tokens = tokens;
  }

  @GET
  public List<DirectoryView> list() {
    return directories.all().stream().map(this::view).toList();
  }

  @GET
  @Path("/{id}")
  public DirectoryView get(@PathParam("id") String id) {
    return view(directory(id));
  }

  /** Creates the directory (201) or changes its name and verified domains (200). */
  @PUT
  @Path("/{id}")
  public Response put(@PathParam("id") String id, DirectoryRequest request) {
    DirectoryRequest body = request == null ? new DirectoryRequest(null, null) : request;
    DirectoryRegistry.Put put = directories.put(id, body.displayName(), body.verifiedDomains());
    return Response.status(put.created() ? 201 : 200).entity(view(put.directory())).build();
  }

  @PUT
  @Path("/{id}/consent-decision")
  public Map<String, String> setDecision(@PathParam("id") String id, DecisionRequest request) {
    ConsentDecision decision =
        ConsentDecision.fromLabel(request == null ? null : request.decision());
    directory(id).decision(decision);
    return Map.of("decision", decision.label());
  }

  /** Withdraws a consent: the app's tokens for the directory stop working at once. */
  @DELETE
  @Path("/{id}/consents/{clientId}")
  public Response withdraw(@PathParam("id") String id, @PathParam("clientId") String clientId) {
    Directory directory = directory(id);
    if (!directory.withdraw(clientId)) {
      throw new GraphException(
          404,
          "Request_ResourceNotFound",
          "Directory '" + id + "' has no consent to app '" + clientId + "'.");
    }
    int revoked = tokens.revokeAll(directory.id(), clientId);
    LOG.infof(
        "consent of directory %s to app %s withdrawn; %d tokens revoked",
        directory.id(), clientId, revoked);
    return Response.noContent().build();
  }

  private Directory directory(String id) {
    return directories
        .find(id)
        .orElseThrow(
            () ->
                new GraphException(
                    404,
                    "Request_ResourceNotFound",
                    "Resource '"
                        + id
                        + "' does not exist or one of its queried reference-property"
                        + " objects are not present."));
  }

  private DirectoryView view(Directory d) {
    List<VerifiedDomain> domains = directories.verifiedDomains(d);
    return new DirectoryView(
        d.id(),
        d.displayName(),
        domains.stream().map(VerifiedDomain::name).toList(),
        domains.stream().filter(VerifiedDomain::isDefault).findFirst().orElseThrow().name(),
        d.ownApp() == null ? null : d.ownApp().clientId(),
        d.consentedApps(),
        d.decision().label());
  }
}
