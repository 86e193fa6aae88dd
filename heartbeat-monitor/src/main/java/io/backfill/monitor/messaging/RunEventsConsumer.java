package io.backfill.monitor.messaging;

import io.backfill.contracts.event.RunEvent;
import io.backfill.contracts.serde.EventJson;
import io.backfill.monitor.domain.RunLedger;
import io.smallrye.reactive.messaging.annotations.Blocking;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.reactive.messaging.Incoming;

/**
 * Consumes {@code run.events} into the ledger. A record that is not a valid run event fails here
 * and goes to {@code run.events.dlq} with the reason (see application.properties).
 */
@ApplicationScoped
public class RunEventsConsumer {

  private final RunLedger ledger;

  RunEventsConsumer(RunLedger ledger) {
    this.ledger = ledger;
  }

  @Incoming("run-events")
  @Blocking
  public void onRunEvent(String json) {
    ledger.apply(EventJson.fromJson(json, RunEvent.class));
  }
}
