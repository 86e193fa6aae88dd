package io.backfill.gateway.api.openapi;

import io.backfill.gateway.api.Problem;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.eclipse.microprofile.openapi.OASFactory;
import org.eclipse.microprofile.openapi.OASFilter;
import org.eclipse.microprofile.openapi.models.Components;
import org.eclipse.microprofile.openapi.models.OpenAPI;
import org.eclipse.microprofile.openapi.models.Operation;
import org.eclipse.microprofile.openapi.models.PathItem;
import org.eclipse.microprofile.openapi.models.media.Content;
import org.eclipse.microprofile.openapi.models.media.Schema;
import org.eclipse.microprofile.openapi.models.media.Schema.SchemaType;
import org.eclipse.microprofile.openapi.models.parameters.Parameter;
import org.eclipse.microprofile.openapi.models.responses.APIResponse;
import org.eclipse.microprofile.openapi.models.responses.APIResponses;
import org.eclipse.microprofile.openapi.models.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.models.security.SecurityScheme;

/**
 * Completes the gateway's OpenAPI document in one place, so that no resource repeats it: every
 * error response is {@code application/problem+json} with the {@link Problem} schema, every
 * operation lists the errors every request can get (400 invalid input, 401 and 403 on authenticated
 * operations, 404 where a path names something, 429 with {@code Retry-After} under {@code /api}),
 * the two bearer schemes the gateway checks are declared, operations that take no credential say
 * so, the servers are listed, the licence (none granted) is named and the operation groups ({@link
 * ApiTags}) are declared with their descriptions. Registered with {@code mp.openapi.filter}.
 */
public class GatewayOpenApi implements OASFilter {

  /** The tenant API key scheme (resources name it in {@code @SecurityRequirement}). */
  public static final String TENANT_API_KEY = "tenantApiKey";

  /** The operator's admin token scheme. */
  public static final String ADMIN_TOKEN = "adminToken";

  static final String PROBLEM_SCHEMA = "Problem";
  static final String FIELD_ERROR_SCHEMA = "ProblemFieldError";

  /** Paths whose operations take no credential: the consent callback, and the version. */
  static final List<String> PUBLIC_PATHS = List.of("/api/v1/graph/consent/callback", "/version");

  /** The operationIds of operations a resource this module does not own may leave unnamed. */
  static final Map<String, String> DEFAULT_OPERATION_IDS = Map.of("GET /version", "getVersion");

  @Override
  public void filterOpenAPI(OpenAPI openApi) {
    if (openApi.getComponents() == null) {
      openApi.setComponents(OASFactory.createComponents());
    }
    if (openApi.getInfo() != null) {
      // The repository grants no licence; SPDX's LicenseRef- form names that without a URL.
      openApi
          .getInfo()
          .license(
              OASFactory.createLicense().name("Proprietary").identifier("LicenseRef-Proprietary"));
    }
    openApi.setTags(
        ApiTags.DESCRIPTIONS.entrySet().stream()
            .map(tag -> OASFactory.createTag().name(tag.getKey()).description(tag.getValue()))
            .toList());
    declareSchemes(openApi.getComponents());
    declareProblem(openApi.getComponents());
    openApi.setServers(
        List.of(
            OASFactory.createServer()
                .url("http://127.0.0.1:8080")
                .description(
                    "The local stack (./backfill up); in production, the operator's gateway URL")));
    if (openApi.getPaths() == null || openApi.getPaths().getPathItems() == null) {
      return;
    }
    openApi
        .getPaths()
        .getPathItems()
        .forEach(
            (path, item) ->
                item.getOperations()
                    .forEach((method, operation) -> complete(path, method, item, operation)));
  }

  private static void complete(
      String path, PathItem.HttpMethod method, PathItem item, Operation operation) {
    if (operation.getOperationId() == null) {
      operation.setOperationId(DEFAULT_OPERATION_IDS.get(method + " " + path));
    }
    if (ApiTags.BY_PATH.containsKey(path)) {
      operation.setTags(List.of(ApiTags.BY_PATH.get(path)));
    }
    boolean open = PUBLIC_PATHS.contains(path);
    if (open) {
      operation.setSecurity(List.of());
    }
    APIResponses responses = operation.getResponses();
    if (responses == null) {
      responses = OASFactory.createAPIResponses();
      operation.setResponses(responses);
    }
    addIfAbsent(responses, "400", "Invalid input: one error per offending field, header or value");
    boolean authenticated = !open && path.startsWith("/api/");
    if (authenticated) {
      boolean admin = requires(operation, ADMIN_TOKEN);
      addIfAbsent(responses, "401", "No, unknown or revoked token (WWW-Authenticate: Bearer)");
      addIfAbsent(
          responses,
          "403",
          admin
              ? "Not the admin token"
              : "Not a tenant API key, or the key's tenant is suspended (tenant-suspended)");
    }
    if (hasPathParameter(item, operation)) {
      addIfAbsent(responses, "404", "Not found, or not the caller's");
    }
    if (path.startsWith("/api/") && !responses.hasAPIResponse("429")) {
      responses.addAPIResponse("429", tooManyRequests());
    }
    responses.getAPIResponses().forEach(GatewayOpenApi::problemBody);
    responses.setAPIResponses(new TreeMap<>(responses.getAPIResponses()));
  }

  private static boolean requires(Operation operation, String scheme) {
    List<SecurityRequirement> security = operation.getSecurity();
    return security != null && security.stream().anyMatch(r -> r.hasScheme(scheme));
  }

  private static boolean hasPathParameter(PathItem item, Operation operation) {
    return hasPathParameter(item.getParameters()) || hasPathParameter(operation.getParameters());
  }

  private static boolean hasPathParameter(List<Parameter> parameters) {
    return parameters != null && parameters.stream().anyMatch(p -> p.getIn() == Parameter.In.PATH);
  }

  private static void addIfAbsent(APIResponses responses, String code, String description) {
    if (!responses.hasAPIResponse(code)) {
      responses.addAPIResponse(code, OASFactory.createAPIResponse().description(description));
    }
  }

  /** An error response without a body of its own gets the problem body. */
  private static void problemBody(String code, APIResponse response) {
    boolean error = code.startsWith("4") || code.startsWith("5");
    if (!error || response.getRef() != null) {
      return;
    }
    Content content = response.getContent();
    if (content == null || content.getMediaTypes() == null || content.getMediaTypes().isEmpty()) {
      response.setContent(
          OASFactory.createContent()
              .addMediaType(
                  Problem.MEDIA_TYPE,
                  OASFactory.createMediaType()
                      .schema(OASFactory.createSchema().ref(PROBLEM_SCHEMA))));
    }
  }

  private static APIResponse tooManyRequests() {
    return OASFactory.createAPIResponse()
        .description(
            "Over a limit (tenant rate, failed authentications from this address or key prefix)")
        .addHeader(
            "Retry-After",
            OASFactory.createHeader()
                .description("Whole seconds, at least 1, before trying again")
                .schema(OASFactory.createSchema().addType(SchemaType.INTEGER)));
  }

  private static void declareSchemes(Components components) {
    components.addSecurityScheme(
        TENANT_API_KEY,
        OASFactory.createSecurityScheme()
            .type(SecurityScheme.Type.HTTP)
            .scheme("bearer")
            .description(
                "A tenant's API key (bfk_…) as Authorization: Bearer; issued by the operator"));
    components.addSecurityScheme(
        ADMIN_TOKEN,
        OASFactory.createSecurityScheme()
            .type(SecurityScheme.Type.HTTP)
            .scheme("bearer")
            .description("The operator's admin token as Authorization: Bearer"));
  }

  private static void declareProblem(Components components) {
    Schema fieldError =
        OASFactory.createSchema()
            .addType(SchemaType.OBJECT)
            .description("One invalid field (or header, or the body as a whole)")
            .addProperty("field", text("The field, header or value, e.g. mailbox"))
            .addProperty("message", text("What is wrong with it"))
            .required(List.of("field", "message"));
    Schema problem =
        OASFactory.createSchema()
            .addType(SchemaType.OBJECT)
            .description("An error as RFC 9457 application/problem+json")
            .addProperty(
                "type",
                text(
                    "A stable URI to switch on, e.g. https://backfill.io/problems/invalid-request"))
            .addProperty("title", text("A short summary of the type"))
            .addProperty(
                "status",
                OASFactory.createSchema()
                    .addType(SchemaType.INTEGER)
                    .format("int32")
                    .description("The HTTP status"))
            .addProperty("detail", text("What happened, in words a person can act on"))
            .addProperty(
                "errors",
                OASFactory.createSchema()
                    .addType(SchemaType.ARRAY)
                    .description("For invalid input: one entry per offending field")
                    .items(OASFactory.createSchema().ref(FIELD_ERROR_SCHEMA)))
            .required(List.of("type", "title", "status"));
    components.addSchema(FIELD_ERROR_SCHEMA, fieldError);
    components.addSchema(PROBLEM_SCHEMA, problem);
  }

  private static Schema text(String description) {
    return OASFactory.createSchema().addType(SchemaType.STRING).description(description);
  }
}
