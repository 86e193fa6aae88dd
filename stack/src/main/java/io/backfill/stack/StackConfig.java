package io.backfill.stack;

import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * What a {@link LocalStack} starts and how. Build one with {@link #builder()}; every setting has a
 * default fit for {@code ./backfill demo} on a laptop.
 */
public final class StackConfig {

  /**
   * The Graph directory (Microsoft Entra tenant) id of the stack's mailbox, a GUID as Entra's are:
   * the directory the stack's Backfill tenants are bound to, as its administrator's consent would
   * bind it.
   */
  public static final String GRAPH_DIRECTORY = "4b6f0a53-1c0e-4d2b-9a55-c0475050c0de";

  /**
   * Another organisation's directory, with a mailbox of its own, which no tenant of the stack is
   * bound to: what the tenant-boundary scenarios try to reach.
   */
  public static final String OTHER_GRAPH_DIRECTORY = "9e2d7c41-58b3-4f6a-8d10-fab12ca7f00d";

  /** The mailbox of {@link #OTHER_GRAPH_DIRECTORY}. */
  public static final String OTHER_MAILBOX = "bob@fabrikam.com";

  /**
   * A third organisation's directory, bound to no tenant when the stack starts and not yet
   * consented to the operator's app: what a scenario binds through the whole admin-consent flow.
   */
  public static final String CONSENTING_GRAPH_DIRECTORY = "5c3a9e17-2f44-4b8d-a6c1-7a11559117e0";

  /** The mailbox of {@link #CONSENTING_GRAPH_DIRECTORY}. */
  public static final String CONSENTING_MAILBOX = "carol@tailspin.com";

  /** The operator's multi-tenant app registration: what the fetcher gets Graph tokens with. */
  public static final String GRAPH_CLIENT_ID = "backfill-app";

  public static final String GRAPH_CLIENT_SECRET = "backfill-secret";

  private static final SecureRandom RANDOM = new SecureRandom();

  final Path projectRoot;
  final Path workDir;
  final Path logDir;
  final int messages;
  final String mailbox;
  final long mailboxSeed;
  final Instant mailboxEnd;
  final int mailboxSpanDays;
  final String tenantId;
  final String llmApiKey;
  final int workers;
  final String databaseName;
  final boolean dropDatabaseOnClose;
  final boolean snapshotApps;
  final Duration readyTimeout;
  final boolean stopOnJvmExit;
  final boolean fullJit;
  final String adminToken;
  final String serviceToken;
  final String masterKey;
  final Map<String, String> simulatorProperties;
  final Map<String, Map<String, String>> moduleProperties;
  final Map<String, String> serviceProperties;
  final Map<String, Map<String, String>> moduleEnvironment;

  private StackConfig(Builder b) {
    this.projectRoot = b.projectRoot.toAbsolutePath().normalize();
    this.workDir =
        (b.workDir != null ? b.workDir : projectRoot.resolve(".backfill")).toAbsolutePath();
    this.logDir = (b.logDir != null ? b.logDir : workDir.resolve("logs")).toAbsolutePath();
    this.messages = b.messages;
    this.mailbox = b.mailbox;
    this.mailboxSeed = b.mailboxSeed;
    this.mailboxEnd = b.mailboxEnd;
    this.mailboxSpanDays = b.mailboxSpanDays;
    this.tenantId = b.tenantId;
    this.llmApiKey = b.llmApiKey;
    this.workers = b.workers;
    boolean fresh = b.databaseName == null;
    this.databaseName = fresh ? "backfill_" + hex(4) : b.databaseName;
    this.dropDatabaseOnClose = b.dropDatabaseOnClose != null ? b.dropDatabaseOnClose : fresh;
    this.snapshotApps = b.snapshotApps;
    this.readyTimeout = b.readyTimeout;
    this.stopOnJvmExit = b.stopOnJvmExit;
    this.fullJit = b.fullJit;
    this.adminToken = b.adminToken != null ? b.adminToken : "adm_" + hex(16);
    this.serviceToken = b.serviceToken != null ? b.serviceToken : "svc_" + hex(16);
    this.masterKey = b.masterKey != null ? b.masterKey : randomMasterKey();
    this.simulatorProperties = Map.copyOf(b.simulatorProperties);
    Map<String, Map<String, String>> modules = new LinkedHashMap<>();
    b.moduleProperties.forEach((module, props) -> modules.put(module, Map.copyOf(props)));
    this.moduleProperties = Map.copyOf(modules);
    this.serviceProperties = Map.copyOf(b.serviceProperties);
    Map<String, Map<String, String>> env = new LinkedHashMap<>();
    b.moduleEnvironment.forEach((module, vars) -> env.put(module, Map.copyOf(vars)));
    this.moduleEnvironment = Map.copyOf(env);
  }

  public static Builder builder() {
    return new Builder();
  }

  public Path projectRoot() {
    return projectRoot;
  }

  public Path workDir() {
    return workDir;
  }

  public Path logDir() {
    return logDir;
  }

  public int messages() {
    return messages;
  }

  public String mailbox() {
    return mailbox;
  }

  public String tenantId() {
    return tenantId;
  }

  /** The LLM key the simulator accepts for {@link #tenantId()}: the tenant's BYOK secret. */
  public String llmApiKey() {
    return llmApiKey;
  }

  public int workers() {
    return workers;
  }

  public String databaseName() {
    return databaseName;
  }

  public String adminToken() {
    return adminToken;
  }

  public String serviceToken() {
    return serviceToken;
  }

  /** The newest simulated message is received just before this instant. */
  public Instant mailboxEnd() {
    return mailboxEnd;
  }

  /** The oldest simulated message is received at or after this instant. */
  public Instant mailboxStart() {
    return mailboxEnd.minus(Duration.ofDays(mailboxSpanDays));
  }

  private static String hex(int bytes) {
    byte[] b = new byte[bytes];
    RANDOM.nextBytes(b);
    return HexFormat.of().formatHex(b);
  }

  private static String randomMasterKey() {
    byte[] key = new byte[32];
    RANDOM.nextBytes(key);
    return Base64.getEncoder().encodeToString(key);
  }

  /** Settings of a stack; each setter documents its default. */
  public static final class Builder {
    private Path projectRoot = Path.of(System.getProperty("backfill.project.root", "."));
    private Path workDir;
    private Path logDir;
    private int messages = 5_000;
    private String mailbox = "alice@contoso.com";
    private long mailboxSeed = 7;
    private Instant mailboxEnd = Instant.parse("2026-01-01T00:00:00Z");
    private int mailboxSpanDays = 365;
    private String tenantId = "demo";
    private String llmApiKey = "sk-sim-demo";
    private int workers = 2;
    private String databaseName;
    private Boolean dropDatabaseOnClose;
    private boolean snapshotApps = true;
    private Duration readyTimeout = Duration.ofSeconds(180);
    private boolean stopOnJvmExit = true;
    private boolean fullJit;
    private String adminToken;
    private String serviceToken;
    private String masterKey;
    private final Map<String, String> simulatorProperties = new LinkedHashMap<>();
    private final Map<String, Map<String, String>> moduleProperties = new LinkedHashMap<>();
    private final Map<String, String> serviceProperties = new LinkedHashMap<>();
    private final Map<String, Map<String, String>> moduleEnvironment = new LinkedHashMap<>();

    private Builder() {}

    /**
     * The checkout whose {@code <module>/target/quarkus-app} jars are run. Default: system property
     * {@code backfill.project.root}, else the current directory.
     */
    public Builder projectRoot(Path projectRoot) {
      this.projectRoot = Objects.requireNonNull(projectRoot);
      return this;
    }

    /**
     * Where the broker's data, copies of the service apps and (by default) the logs go. Default:
     * {@code <projectRoot>/.backfill}. Its {@code kafka/} and {@code apps/} are replaced on start.
     */
    public Builder workDir(Path workDir) {
      this.workDir = workDir;
      return this;
    }

    /** One {@code <part>.log} per process here. Default: {@code <workDir>/logs}. */
    public Builder logDir(Path logDir) {
      this.logDir = logDir;
      return this;
    }

    /** Messages in the simulated mailbox. Default 5,000. */
    public Builder messages(int messages) {
      if (messages < 1) {
        throw new IllegalArgumentException("messages must be at least 1: " + messages);
      }
      this.messages = messages;
      return this;
    }

    /** The simulated mailbox's address. Default {@code alice@contoso.com}. */
    public Builder mailbox(String mailbox) {
      this.mailbox = Objects.requireNonNull(mailbox);
      return this;
    }

    /** The generator seed of the mailbox (same seed and size, same mail). Default 7. */
    public Builder mailboxSeed(long seed) {
      this.mailboxSeed = seed;
      return this;
    }

    /** The newest mail is received just before this. Default 2026-01-01T00:00:00Z. */
    public Builder mailboxEnd(Instant mailboxEnd) {
      this.mailboxEnd = Objects.requireNonNull(mailboxEnd);
      return this;
    }

    /** Days from the oldest to the newest mail. Default 365. */
    public Builder mailboxSpanDays(int days) {
      this.mailboxSpanDays = days;
      return this;
    }

    /**
     * The tenant whose LLM key the simulator accepts, and the key. Default {@code demo} / {@code
     * sk-sim-demo}.
     */
    public Builder tenant(String tenantId, String llmApiKey) {
      this.tenantId = Objects.requireNonNull(tenantId);
      this.llmApiKey = Objects.requireNonNull(llmApiKey);
      return this;
    }

    /** Extraction worker processes. Default 2. */
    public Builder workers(int workers) {
      if (workers < 1) {
        throw new IllegalArgumentException("workers must be at least 1: " + workers);
      }
      this.workers = workers;
      return this;
    }

    /**
     * The database the services use (created if missing, kept on close). Default: a fresh {@code
     * backfill_<8 hex>}, dropped on close.
     */
    public Builder database(String name) {
      this.databaseName = name;
      return this;
    }

    /** Whether {@link LocalStack#close()} drops the database. Default: only a fresh one. */
    public Builder dropDatabaseOnClose(boolean drop) {
      this.dropDatabaseOnClose = drop;
      return this;
    }

    /**
     * Run copies of the apps (under {@code <workDir>/apps}), so a rebuild of a module while the
     * stack runs does not change the jar a restarted process runs. Default true.
     */
    public Builder snapshotApps(boolean snapshot) {
      this.snapshotApps = snapshot;
      return this;
    }

    /** How long each part may take to become ready. Default 180 s (a busy two-core machine). */
    public Builder readyTimeout(Duration timeout) {
      this.readyTimeout = Objects.requireNonNull(timeout);
      return this;
    }

    /**
     * Stop the stack when this JVM exits (a shutdown hook). Default true; false for {@code
     * ./backfill up}, which leaves it running for {@code down}.
     */
    public Builder stopOnJvmExit(boolean stop) {
      this.stopOnJvmExit = stop;
      return this;
    }

    /**
     * Run the services with both JIT compilers. Default false: only the quick one (C1), which
     * starts a stack sooner on two cores but runs hot code slower; the benchmarks measure the
     * steady state, so they turn it on.
     */
    public Builder fullJit(boolean fullJit) {
      this.fullJit = fullJit;
      return this;
    }

    /** The gateway's admin bearer token. Default: random. */
    public Builder adminToken(String token) {
      this.adminToken = token;
      return this;
    }

    /** The service token the services use on the gateway's internal API. Default: random. */
    public Builder serviceToken(String token) {
      this.serviceToken = token;
      return this;
    }

    /** The gateway's secrets master key (base64 of 32 bytes). Default: random. */
    public Builder masterKey(String base64) {
      this.masterKey = base64;
      return this;
    }

    /** A simulator setting, e.g. {@code backfill.simulator.fault-profile=flaky}. */
    public Builder simulatorProperty(String key, String value) {
      simulatorProperties.put(key, value);
      return this;
    }

    /**
     * A setting of every process of one module ({@code ingest-fetcher}, {@code extraction-worker},
     * {@code heartbeat-monitor}, {@code api-gateway}, {@code outlook-simulator}), over the stack's.
     */
    public Builder moduleProperty(String module, String key, String value) {
      moduleProperties.computeIfAbsent(module, m -> new LinkedHashMap<>()).put(key, value);
      return this;
    }

    /** A setting of the four services (not the simulator), below per-module settings. */
    public Builder serviceProperty(String key, String value) {
      serviceProperties.put(key, value);
      return this;
    }

    /**
     * An environment variable of every process of one module, over the stack's own. For settings a
     * build may not have yet (e.g. {@code BACKFILL_WORKER_SEQUENTIAL}): Quarkus ignores an
     * environment variable that maps to nothing, but rejects an unknown {@code backfill.*} system
     * property.
     */
    public Builder moduleEnv(String module, String name, String value) {
      moduleEnvironment.computeIfAbsent(module, m -> new LinkedHashMap<>()).put(name, value);
      return this;
    }

    public StackConfig build() {
      return new StackConfig(this);
    }
  }
}
