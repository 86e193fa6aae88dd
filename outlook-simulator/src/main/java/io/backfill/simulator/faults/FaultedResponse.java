package io.backfill.simulator.faults;

import io.smallrye.mutiny.Uni;
import io.vertx.ext.web.RoutingContext;
import jakarta.ws.rs.core.Response;
import java.util.function.Supplier;

/** Plays out a fault decision around an answer: delay, hang, reset, or the answer itself. */
public final class FaultedResponse {

  private FaultedResponse() {}

  /**
   * The answer after the decided delay; a hang never completes and a reset closes the connection
   * without an answer. Other faults are the answer's business (it knows its error shape).
   */
  public static Uni<Response> play(
      FaultInjector.Decision decision, RoutingContext context, Supplier<Response> answer) {
    Uni<Void> start = Uni.createFrom().voidItem();
    if (!decision.delay().isZero()) {
      start = start.onItem().delayIt().by(decision.delay());
    }
    FaultKind kind = decision.fault() == null ? null : decision.fault().kind();
    return start
        .onItem()
        .transformToUni(
            ignored -> {
              if (kind == FaultKind.HANG) {
                return Uni.createFrom().nothing();
              }
              if (kind == FaultKind.RESET) {
                context.request().connection().close();
                return Uni.createFrom().nothing();
              }
              return Uni.createFrom().item(answer);
            });
  }
}
