package io.backfill.simulator.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Everything the simulator is told at start-up; faults and limits can also change at runtime. */
@ConfigMapping(prefix = "backfill.simulator")
public interface SimulatorConfig {

  /**
   * Mailboxes to generate, comma-separated, each {@code address=size;seed=N}, e.g. {@code
   * alice@contoso.com=5000;seed=7,bob@fabrikam.com=200;seed=3}. The seed defaults to 1.
   */
  @WithDefault("alice@contoso.com=500;seed=7")
  String mailboxes();

  /**
   * The newest generated message is received just before this instant. Unset: the start of today
   * (UTC), so a "last 90 days" backfill finds mail while a day's runs all see the same mailbox.
   */
  Optional<Instant> mailboxEnd();

  /** How many days of mail a generated mailbox spans, oldest to newest. */
  @WithDefault("365")
  int mailboxSpanDays();

  /**
   * A directory where every mail change (deliveries and admin changes) and every delta-token expiry
   * is appended, per mailbox, and replayed at start-up, so mailboxes and delta tokens are the same
   * after a restart. Unset: everything is in memory and a restart starts afresh.
   */
  Optional<String> stateDir();

  /** Microsoft Graph and its token endpoint. */
  Graph graph();

  /** The OpenAI-compatible LLM. */
  Llm llm();

  /**
   * Fault rules applied from start-up, comma-separated, each {@code target:kind[;key=value]*}, e.g.
   * {@code alice@contoso.com:unavailable;probability=0.1,gpt-4o-mini:null-content}. See the README
   * for kinds and keys.
   */
  Optional<List<String>> faults();

  /**
   * A named set of fault rules added to {@link #faults()}: {@code none}, {@code flaky} (a few 429s
   * and 503s and some latency on every call) or {@code hostile} (flaky plus every LLM content fault
   * now and then). See the README for the rules of each.
   */
  @WithDefault("none")
  String faultProfile();

  /** Graph settings. */
  interface Graph {

    /**
     * Tenant directories: {@code backfill.simulator.graph.tenants.<directoryId>.*}. A directory may
     * have an app of its own (client id and secret, valid in that directory only), apps consented
     * from the start, and verified domains. Mailboxes whose {@code tenant} names a directory that
     * is not configured here belong to a directory with defaults.
     */
    Map<String, DirectoryConfig> tenants();

    /**
     * Multi-tenant app registrations: {@code backfill.simulator.graph.apps.<name>.client-id},
     * {@code .client-secret} and {@code .redirect-uris}. Such an app gets tokens for a directory
     * only once that directory's administrator consented to it.
     */
    Map<String, AppConfig> apps();

    /** Lifetime of an issued access token (Graph's default is one hour). */
    @WithDefault("3600s")
    Duration tokenLifetime();

    /** Concurrent requests per mailbox before 429 MailboxConcurrency (Outlook's limit is 4). */
    @WithDefault("4")
    int maxConcurrentPerMailbox();

    /** Requests per mailbox per app in each 10-minute window (Outlook's limit is 10,000). */
    @WithDefault("10000")
    int requestsPerTenMinutes();

    /**
     * 504 when {@code $top} × days in the filter window is over this budget: Graph answered 504 at
     * {@code $top=1000} over 90 days (90,000) but serves {@code $top=100} over 90 days (9,000).
     * Zero or less turns the rule off.
     */
    @WithDefault("50000")
    long topDaysBudget();

    /**
     * Key that signs delta and skip tokens, so a token stays valid across restarts (with {@link
     * SimulatorConfig#stateDir()}) and cannot be forged. Fixed by default: the simulator is no
     * security boundary.
     */
    @WithDefault("backfill-simulator-delta-key")
    String deltaTokenKey();

    /** Largest {@code Prefer: odata.maxpagesize} honoured on delta queries. */
    @WithDefault("1000")
    int deltaMaxPageSize();
  }

  /** One tenant directory. */
  interface DirectoryConfig {

    /**
     * The application (client) id of the directory's own app, which gets tokens for this directory
     * only. Unset: the directory has no app of its own.
     */
    Optional<String> clientId();

    /** The client secret of the directory's own app; required with {@link #clientId()}. */
    Optional<String> clientSecret();

    /** The directory's name as Graph's organization shows it. Unset: the directory id. */
    Optional<String> displayName();

    /**
     * Client ids of multi-tenant apps this directory's administrator consented to before start-up,
     * so they get tokens without going through the admin-consent endpoint.
     */
    Optional<List<String>> consentedApps();

    /**
     * The directory's verified (custom) domains. Unset: the domains of the mailboxes assigned to
     * the directory. Either way the directory also has its initial {@code *.onmicrosoft.com}
     * domain.
     */
    Optional<List<String>> verifiedDomains();
  }

  /** One multi-tenant app registration. */
  interface AppConfig {

    /** The application (client) id. */
    String clientId();

    /** The client secret. */
    String clientSecret();

    /**
     * Redirect URIs registered for the app; the admin-consent endpoint redirects only to one of
     * these, compared exactly, as the identity platform does.
     */
    Optional<List<String>> redirectUris();
  }

  /** LLM settings. */
  interface Llm {

    /** API keys per tenant: {@code backfill.simulator.llm.keys.<tenant>=sk-...}. */
    Map<String, String> keys();

    /** Models served; any other name is 404 model_not_found. */
    @WithDefault("gpt-4o-mini,gpt-4.1-mini,o3-mini,o4-mini")
    List<String> models();

    /**
     * Models that behave as reasoning models: {@code content} is null and the answer is in {@code
     * reasoning_content}.
     */
    @WithDefault("o3-mini")
    List<String> reasoningModels();

    /** Fraction of answered entities that are in the ground truth. */
    @WithDefault("0.9")
    double precision();

    /** Fraction of ground-truth entities that the answer contains. */
    @WithDefault("0.9")
    double recall();
  }
}
