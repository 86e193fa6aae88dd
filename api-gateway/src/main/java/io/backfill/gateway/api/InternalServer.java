package io.backfill.gateway.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.backfill.gateway.config.GatewayConfig;
import io.backfill.gateway.domain.LogText;
import io.backfill.gateway.domain.Tenants;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.arc.Arc;
import io.quarkus.arc.ManagedContext;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import org.jboss.logging.Logger;

/**
 * Serves {@code /internal/v1} on its own port ({@code backfill.gateway.internal.port}), so the
 * endpoints that hand out tenants' credentials can be kept off the public network; the public port
 * answers 404 for {@code /internal}. A plain Vert.x server and router on Quarkus's Vert.x: every
 * call needs the service token (compared in constant time), and the handlers run the blocking
 * {@link InternalEndpoints} on a worker thread, answering the same JSON and problem bodies as the
 * public API. See docs/decisions/0028-gateway-graph-consent-and-internal-port.md.
 */
@ApplicationScoped
public class InternalServer {

  private static final Logger LOG = Logger.getLogger(InternalServer.class);

  /** Start-up fails rather than run without the internal port. */
  private static final long LISTEN_TIMEOUT_SECONDS = 30;

  private final Vertx vertx;
  private final InternalEndpoints endpoints;
  private final GatewayConfig config;
  private final ObjectMapper json;
  private final MeterRegistry metrics;
  private volatile HttpServer server;

  InternalServer(
      Vertx vertx,
      InternalEndpoints endpoints,
      GatewayConfig config,
      ObjectMapper json,
      MeterRegistry metrics) {
    this.vertx = vertx;
    this.endpoints = endpoints;
    this.config = config;
    this.json = json;
    this.metrics = metrics;
  }

  void start(@Observes StartupEvent event)
      throws InterruptedException, ExecutionException, TimeoutException {
    Router router = Router.router(vertx);
    router.get("/internal/v1/tenants/:tenantId").handler(ctx -> serve(ctx, endpoints::tenant));
    router
        .get("/internal/v1/tenants/:tenantId/llm-credentials")
        .handler(ctx -> serve(ctx, endpoints::llmCredentials));
    router
        .get("/internal/v1/tenants/:tenantId/graph-connection")
        .handler(ctx -> serve(ctx, endpoints::graphConnection));
    // The same paths with any other method: 405, as on the public port.
    for (String path :
        List.of(
            "/internal/v1/tenants/:tenantId",
            "/internal/v1/tenants/:tenantId/llm-credentials",
            "/internal/v1/tenants/:tenantId/graph-connection")) {
      router
          .route(path)
          .handler(
              ctx -> {
                ctx.response().putHeader("Allow", "GET");
                problem(
                    ctx,
                    Problem.of(
                        "method-not-allowed",
                        "Method not allowed",
                        405,
                        "This resource answers GET only."));
              });
    }
    router
        .route()
        .handler(
            ctx ->
                problem(
                    ctx,
                    Problem.of(
                        "not-found", "Not found", 404, "No such resource on this gateway.")));
    HttpServerOptions options =
        new HttpServerOptions().setHost(config.internal().host()).setPort(config.internal().port());
    server =
        vertx
            .createHttpServer(options)
            .requestHandler(router)
            .listen()
            .toCompletionStage()
            .toCompletableFuture()
            .get(LISTEN_TIMEOUT_SECONDS, TimeUnit.SECONDS);
    LOG.infof("internal endpoints on %s:%d", config.internal().host(), server.actualPort());
  }

  void stop(@Observes ShutdownEvent event) {
    HttpServer running = server;
    if (running != null) {
      running.close();
    }
  }

  /** The port the internal server listens on (the chosen one when configured as 0). */
  public int port() {
    HttpServer running = server;
    if (running == null) {
      throw new IllegalStateException("the internal server is not started");
    }
    return running.actualPort();
  }

  private void serve(RoutingContext ctx, Function<String, Object> call) {
    String token = BearerAuthFilter.bearerToken(ctx.request().getHeader(HttpHeaders.AUTHORIZATION));
    String path = LogText.of(ctx.request().path());
    if (token == null || !BearerAuthFilter.matches(config.serviceToken(), token)) {
      String reason = token == null ? "missing" : "bad_service_token";
      // The token itself is never logged, not even in part.
      LOG.infof("refused %s: %s", path, reason);
      metrics.counter("backfill_gateway_auth_failures_total", "reason", reason).increment();
      ctx.response().putHeader("WWW-Authenticate", "Bearer");
      problem(
          ctx, Problem.of("unauthorized", "Unauthorized", 401, "The service token is not valid."));
      return;
    }
    String tenantId = ctx.pathParam("tenantId");
    // The public port's input guard does not run here: a tenant id that is not one (NUL, CR/LF,
    // anything PostgreSQL or a log line would choke on) is refused before it is used.
    if (tenantId == null || !Tenants.ID.matcher(tenantId).matches()) {
      metrics.counter("backfill_gateway_inputs_refused_total", "part", "path").increment();
      problem(
          ctx,
          Problem.invalid(
              "invalid-tenant",
              "The tenant id is invalid.",
              List.of(
                  new Problem.FieldError(
                      "tenantId", "1-63 of a-z, 0-9 and '-', not starting with '-'"))));
      return;
    }
    vertx
        .executeBlocking(() -> inRequestContext(() -> call.apply(tenantId)), false)
        .onComplete(
            done -> {
              if (done.succeeded()) {
                respond(ctx, 200, "application/json", done.result());
              } else if (done.cause() instanceof ProblemException problem) {
                problem(ctx, problem.problem());
              } else {
                LOG.errorf(done.cause(), "internal %s of tenant %s failed", path, tenantId);
                metrics.counter("backfill_gateway_internal_failures_total").increment();
                problem(
                    ctx,
                    Problem.of(
                        "internal-error",
                        "Internal error",
                        500,
                        "The gateway could not answer; see its log."));
              }
            });
  }

  private static Object inRequestContext(java.util.function.Supplier<Object> call) {
    ManagedContext requestContext = Arc.container().requestContext();
    requestContext.activate();
    try {
      return call.get();
    } finally {
      requestContext.terminate();
    }
  }

  private void problem(RoutingContext ctx, Problem problem) {
    respond(ctx, problem.status(), Problem.MEDIA_TYPE, problem);
  }

  private void respond(RoutingContext ctx, int status, String type, Object body) {
    String text;
    try {
      text = json.writeValueAsString(body);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("records always serialise", e);
    }
    ctx.response().setStatusCode(status).putHeader(HttpHeaders.CONTENT_TYPE, type).end(text);
  }
}
