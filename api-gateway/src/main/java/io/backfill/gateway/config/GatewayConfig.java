package io.backfill.gateway.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.Optional;

/** The gateway's own settings: credentials, request limits, read model and ops views. */
@ConfigMapping(prefix = "backfill.gateway")
public interface GatewayConfig {

  /**
   * Bearer token of the operator: creates tenants and keys, reads ops endpoints. Unset means no
   * caller is an admin (those endpoints answer 401).
   */
  Optional<String> adminToken();

  /**
   * Bearer token other services use on {@code /internal/v1}. Unset means the internal endpoints
   * answer 401.
   */
  Optional<String> serviceToken();

  /** Submitting backfills. */
  Submit submit();

  /** Listing backfills. */
  Listing listing();

  /** BYOK secrets. */
  Secrets secrets();

  /** The run/attempt read model. */
  ReadModel readModel();

  /** Lag and fleet. */
  Ops ops();

  /** Binding tenants to their Microsoft Entra directories by admin consent. */
  Graph graph();

  /** The port that serves {@code /internal/v1} to other Backfill services. */
  Internal internal();

  /** The transactional outbox of submissions and commands, and its relay. */
  Outbox outbox();

  /**
   * Submissions and commands are stored in {@code outbox} in the same transaction as their
   * idempotency claim; a relay publishes the stored rows and deletes each once the broker has
   * acknowledged it.
   */
  interface Outbox {

    /**
     * Whether this instance publishes stored rows. Off, rows stay stored (and counted in the
     * gauges) until an instance with the relay on publishes them: a test uses it to stand for a
     * gateway that crashed between the claim and the publish.
     */
    @WithDefault("true")
    boolean relayEnabled();

    /**
     * How often the relay looks for stored rows when nothing woke it. Every commit wakes it at
     * once; the poll catches rows another instance stored or failed to publish.
     */
    @WithDefault("1s")
    Duration pollInterval();

    /** Most rows one relay transaction locks and publishes. */
    @WithDefault("100")
    int batchSize();

    /**
     * Longest a relay transaction keeps publishing before it commits what it sent: it holds the
     * rows' locks meanwhile, so other instances skip them.
     */
    @WithDefault("20s")
    Duration batchBudget();
  }

  /**
   * The admin-consent flow: the gateway sends a tenant's Entra admin to Microsoft to consent to the
   * operator's multi-tenant app, and binds the directory Microsoft redirects back with.
   */
  interface Graph {

    /** Base URL of the Microsoft identity platform. */
    @WithDefault("https://login.microsoftonline.com")
    String loginUrl();

    /**
     * Client id of the operator's multi-tenant app registration (the app the fetcher uses for
     * tenants without their own). Unset: the consent endpoint answers 503 {@code
     * consent-unavailable}.
     */
    Optional<String> clientId();

    /**
     * Client secret of the operator's app. The consent callback uses it to request a
     * client-credentials token for the directory it names, which Microsoft issues only once that
     * directory consented to the app; the token itself is discarded. Unset: the consent endpoint
     * answers 503 {@code consent-unavailable}.
     */
    Optional<String> clientSecret();

    /** Connect timeout of the token request that proves a directory's consent. */
    @WithDefault("5s")
    Duration tokenConnectTimeout();

    /** Time allowed for the token endpoint's answer once connected. */
    @WithDefault("10s")
    Duration tokenReadTimeout();

    /**
     * The public URL of {@code GET /api/v1/graph/consent/callback}, as registered as a redirect URI
     * of the operator's app. Required (unset: 503): derived from the request, a forged Host header
     * would send the admin's consent to someone else's callback.
     */
    Optional<String> consentRedirectUri();

    /**
     * How long a consent state stays usable: long enough for an admin to sign in and read the
     * consent screen, short enough that a leaked link is soon worthless.
     */
    @WithDefault("10m")
    Duration consentStateTtl();
  }

  /** The internal HTTP server, separate from the public port so it can stay off the internet. */
  interface Internal {

    /** Port of {@code /internal/v1}; 0 picks a free one (tests). */
    @WithDefault("8081")
    int port();

    /** Interface the internal server binds to. */
    @WithDefault("0.0.0.0")
    String host();
  }

  /** Limits of {@code POST /api/v1/backfills}. */
  interface Submit {

    /** Largest request body in bytes; a backfill request is a few hundred bytes. */
    @WithDefault("8192")
    int maxBodyBytes();

    /** How long to wait for the broker to acknowledge a published request or command. */
    @WithDefault("10s")
    Duration publishTimeout();
  }

  /** Paging of {@code GET /api/v1/backfills}. */
  interface Listing {

    /** Page size when the caller gives no limit. */
    @WithDefault("50")
    int defaultLimit();

    /** Largest page a caller may ask for. */
    @WithDefault("200")
    int maxLimit();
  }

  /** Encryption of BYOK secrets at rest. */
  interface Secrets {

    /**
     * AES-256 master key, base64 of 32 bytes (env {@code BACKFILL_MASTER_KEY}); its key id is
     * {@code default}. With {@link #masterKeys()} unset it seals and opens every secret. Neither
     * set means secrets cannot be stored or read (503), everything else works.
     */
    Optional<String> masterKey();

    /**
     * Master keys for rotation, {@code id:base64-of-32-bytes}, comma-separated, newest first (env
     * {@code BACKFILL_MASTER_KEYS}): the first seals new values, every one (and {@link
     * #masterKey()} as id {@code default}) opens what it sealed. After {@code POST
     * /api/v1/admin/secrets/rotate} reports nothing left under an old key, that key can be removed.
     */
    Optional<java.util.List<String>> masterKeys();

    /** Longest secret value in characters. */
    @WithDefault("4096")
    int maxValueChars();
  }

  /** How run.events are written into the read model. */
  interface ReadModel {

    /**
     * Heartbeats are coalesced in memory and written at most this often: one write per attempt per
     * interval instead of one per heartbeat.
     */
    @WithDefault("1s")
    Duration heartbeatFlushInterval();

    /** How often a job's SSE stream looks for changes in the read model. */
    @WithDefault("1s")
    Duration eventsPollInterval();
  }

  /** Consumer lag and fleet. */
  interface Ops {

    /** How often the lag gauges are refreshed from the broker. */
    @WithDefault("15s")
    Duration lagRefreshInterval();

    /** Timeout of each AdminClient call made for the lag. */
    @WithDefault("10s")
    Duration adminTimeout();

    /** An instance not seen for this long is not live and does not count for mixed versions. */
    @WithDefault("2m")
    Duration liveWindow();

    /**
     * Base URLs of peers whose {@code /version} is polled for the fleet view (e.g. the monitor,
     * which runs no attempts). None by default.
     */
    Optional<java.util.List<String>> peers();

    /** How often the peers are polled. */
    @WithDefault("30s")
    Duration peerPollInterval();

    /** Connect timeout of a peer poll. */
    @WithDefault("2s")
    Duration peerConnectTimeout();

    /** Read timeout of a peer poll. */
    @WithDefault("5s")
    Duration peerReadTimeout();
  }
}
