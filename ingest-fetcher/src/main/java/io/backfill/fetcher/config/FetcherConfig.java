package io.backfill.fetcher.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/** How the fetcher takes backfill requests. */
@ConfigMapping(prefix = "backfill.fetcher")
public interface FetcherConfig {

  /**
   * The longest window [from, to) a request may ask for; longer ones are rejected. Five years (1826
   * days) by default: enough for any realistic backfill, and it stops a typo such as year 0024 from
   * turning into a job that pages a mailbox for centuries.
   */
  @WithDefault("P1826D")
  Duration maxWindow();

  /**
   * How long intake waits for the broker to acknowledge a job event before it gives up on the
   * record (which then goes to the dead-letter topic). Every outbound call has a timeout.
   */
  @WithDefault("30s")
  Duration publishTimeout();
}
