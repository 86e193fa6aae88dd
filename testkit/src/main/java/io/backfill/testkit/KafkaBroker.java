package io.backfill.testkit;

import io.backfill.stack.KafkaBrokerProcess;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;

/**
 * A real Apache Kafka broker (KRaft, combined broker and controller) running in a child JVM: the
 * stack's {@link KafkaBrokerProcess} with its data in a temporary directory, shared by the tests of
 * a JVM or owned by one test.
 *
 * <p>A child process rather than an in-process broker, so tests can stop, kill and restart it like
 * a real one. Ports and the data directory stay the same for the broker's whole life, so a restart
 * keeps the bootstrap address and every record written before it.
 */
public final class KafkaBroker implements AutoCloseable {

  private static final Duration READY_TIMEOUT = Duration.ofSeconds(60);

  /**
   * Where the JVM-wide shared broker's address is kept. Quarkus loads test resources in a class
   * loader per application, so a static field alone would start one broker per test class; the
   * system properties are the same for every class loader of the JVM.
   */
  private static final String SHARED_BOOTSTRAP_PROPERTY = "backfill.testkit.shared-kafka";

  /** The one user the SASL_PLAINTEXT listener of {@link #createWithSasl()} accepts. */
  public static final String SASL_USER = "backfill";

  /** {@link #SASL_USER}'s password. */
  public static final String SASL_PASSWORD = "backfill-sasl-secret";

  private static KafkaBroker shared;

  private final String attachedBootstrap;
  private final Path dataDir;
  private final KafkaBrokerProcess process;
  private boolean closed;

  /** A handle on the shared broker that another class loader of this JVM started and owns. */
  private KafkaBroker(String attachedBootstrap) {
    this.attachedBootstrap = attachedBootstrap;
    this.dataDir = null;
    this.process = null;
  }

  private KafkaBroker(boolean sasl) {
    this.attachedBootstrap = null;
    this.dataDir = DataDirectory.create("backfill-kafka-");
    this.process =
        new KafkaBrokerProcess(
            dataDir,
            dataDir.resolve("broker.log"),
            READY_TIMEOUT,
            sasl ? new KafkaBrokerProcess.SaslPlain(SASL_USER, SASL_PASSWORD) : null);
  }

  /** The broker shared by every test of this JVM, started on first use, stopped at JVM exit. */
  public static KafkaBroker shared() {
    // The system properties object is one per JVM, whatever class loader runs this code.
    synchronized (System.getProperties()) {
      if (shared != null) {
        return shared;
      }
      String started = System.getProperty(SHARED_BOOTSTRAP_PROPERTY);
      if (started != null) {
        shared = new KafkaBroker(started);
        return shared;
      }
      KafkaBroker broker = new KafkaBroker(false);
      Runtime.getRuntime()
          .addShutdownHook(new Thread(broker::close, "backfill-kafka-broker-shutdown"));
      broker.start();
      System.setProperty(SHARED_BOOTSTRAP_PROPERTY, broker.bootstrapServers());
      shared = broker;
      return shared;
    }
  }

  /**
   * A broker the caller owns (and closes), for tests that stop, kill or restart it. Not started.
   */
  public static KafkaBroker create() {
    return new KafkaBroker(false);
  }

  /**
   * A broker the caller owns (and closes) with a SASL_PLAINTEXT listener (PLAIN, {@link #SASL_USER}
   * and {@link #SASL_PASSWORD}) beside the plaintext one. Not started.
   */
  public static KafkaBroker createWithSasl() {
    return new KafkaBroker(true);
  }

  /** The plaintext listener, which every broker has. */
  public String bootstrapServers() {
    return attachedBootstrap != null ? attachedBootstrap : process.bootstrapServers();
  }

  /** The SASL_PLAINTEXT listener of a broker made by {@link #createWithSasl()}. */
  public String saslBootstrapServers() {
    if (process == null) {
      throw new IllegalStateException(
          "the shared broker has no SASL listener; use KafkaBroker.createWithSasl()");
    }
    return process.saslBootstrapServers();
  }

  /**
   * The Quarkus settings that point a service's Kafka clients at the SASL listener with the right
   * credentials: {@code kafka.bootstrap.servers}, {@code kafka.security.protocol}, {@code
   * kafka.sasl.mechanism} and {@code kafka.sasl.jaas.config}.
   */
  public Map<String, String> saslClientProperties() {
    Map<String, String> properties = new LinkedHashMap<>();
    properties.put("kafka.bootstrap.servers", saslBootstrapServers());
    properties.put("kafka.security.protocol", "SASL_PLAINTEXT");
    properties.put("kafka.sasl.mechanism", "PLAIN");
    properties.put("kafka.sasl.jaas.config", saslJaasConfig());
    return properties;
  }

  /** The client JAAS line for {@link #SASL_USER}. */
  public static String saslJaasConfig() {
    return "org.apache.kafka.common.security.plain.PlainLoginModule required username=\""
        + SASL_USER
        + "\" password=\""
        + SASL_PASSWORD
        + "\";";
  }

  /** The directory holding server.properties, the log dirs, broker.out and broker.log. */
  public Path dataDir() {
    return dataDir;
  }

  /** Starts the broker and waits until it serves metadata; formats storage on first start. */
  public synchronized void start() {
    refuseIfAttached();
    if (closed) {
      throw new IllegalStateException("Broker was closed: " + bootstrapServers());
    }
    process.start();
  }

  /** Graceful stop (SIGTERM), forcibly after 30 s; data and ports are kept for a restart. */
  public synchronized void stop() {
    refuseIfAttached();
    process.stop();
  }

  /** Abrupt death (SIGKILL), as a crashed broker; data and ports are kept for a restart. */
  public synchronized void kill() {
    refuseIfAttached();
    process.kill();
  }

  /** Stop and start again on the same ports and data directory. */
  public synchronized void restart() {
    stop();
    start();
  }

  public synchronized boolean isRunning() {
    return process == null || process.isRunning();
  }

  /**
   * Creates a topic unless it exists; waits until the broker has created it.
   *
   * @param configs topic-level configs, e.g. {@code cleanup.policy}
   */
  public void createTopic(String name, int partitions, Map<String, String> configs) {
    try (Admin admin = Admin.create(KafkaBrokerProcess.adminProperties(bootstrapServers()))) {
      NewTopic topic = new NewTopic(name, partitions, (short) 1).configs(configs);
      admin.createTopics(List.of(topic)).all().get(30, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      if (!(e.getCause() instanceof TopicExistsException)) {
        throw new IllegalStateException("Cannot create topic " + name, e.getCause());
      }
    } catch (TimeoutException e) {
      throw new IllegalStateException("Timed out creating topic " + name, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted creating topic " + name, e);
    }
  }

  /** Stops the broker and deletes its data directory. */
  @Override
  public synchronized void close() {
    if (process == null || closed) {
      return;
    }
    closed = true;
    process.stop();
    DataDirectory.delete(dataDir);
  }

  private void refuseIfAttached() {
    if (process == null) {
      throw new IllegalStateException(
          "the shared broker at "
              + bootstrapServers()
              + " is owned by another class loader of this JVM; use KafkaBroker.create() for a"
              + " broker a test can stop, kill or restart");
    }
  }

  @Override
  public String toString() {
    return "KafkaBroker[" + bootstrapServers() + ", " + dataDir + "]";
  }
}
