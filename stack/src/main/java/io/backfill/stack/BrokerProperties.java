package io.backfill.stack;

import io.backfill.contracts.topic.Topics;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** The server.properties of a single-node KRaft broker in combined mode (testkit's broker too). */
public final class BrokerProperties {

  private BrokerProperties() {}

  public static Map<String, String> combinedMode(int port, int controllerPort, Path logDirs) {
    Map<String, String> p = new LinkedHashMap<>();
    p.put("process.roles", "broker,controller");
    p.put("node.id", "1");
    p.put("controller.quorum.voters", "1@127.0.0.1:" + controllerPort);
    p.put(
        "listeners", "PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort);
    p.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + port);
    p.put("controller.listener.names", "CONTROLLER");
    p.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
    p.put("inter.broker.listener.name", "PLAINTEXT");
    p.put("log.dirs", logDirs.toString());
    // One broker: internal topics must not ask for the default three replicas, or no consumer
    // group and no transaction can ever form.
    p.put("offsets.topic.replication.factor", "1");
    p.put("transaction.state.log.replication.factor", "1");
    p.put("transaction.state.log.min.isr", "1");
    p.put("share.coordinator.state.topic.replication.factor", "1");
    p.put("share.coordinator.state.topic.min.isr", "1");
    p.put("group.initial.rebalance.delay.ms", "0");
    // Services create their topics explicitly; a typo must fail, not create a topic.
    p.put("auto.create.topics.enable", "false");
    p.put("num.partitions", "1");
    p.put("offsets.topic.num.partitions", "5");
    p.put("transaction.state.log.num.partitions", "5");
    p.put("share.coordinator.state.topic.num.partitions", "5");
    p.put("message.max.bytes", String.valueOf(Topics.CHUNK_MAX_MESSAGE_BYTES));
    // After a SIGKILL the controller refuses the restarted broker's registration until the dead
    // incarnation's session expires (9 s by default); keep that wait short.
    p.put("broker.session.timeout.ms", "3000");
    p.put("broker.heartbeat.interval.ms", "500");
    p.put("log.segment.bytes", String.valueOf(16 * 1024 * 1024));
    p.put("log.index.size.max.bytes", "1048576");
    return p;
  }

  /**
   * Adds a SASL_PLAINTEXT listener with the PLAIN mechanism and one user beside the plaintext one;
   * the controller and inter-broker listeners stay plaintext.
   */
  public static Map<String, String> withSaslPlainListener(
      Map<String, String> combinedMode, int saslPort, String user, String password) {
    Map<String, String> p = new LinkedHashMap<>(combinedMode);
    String listener = "SASL_PLAINTEXT://127.0.0.1:" + saslPort;
    p.put("listeners", p.get("listeners") + "," + listener);
    p.put("advertised.listeners", p.get("advertised.listeners") + "," + listener);
    p.put(
        "listener.security.protocol.map",
        p.get("listener.security.protocol.map") + ",SASL_PLAINTEXT:SASL_PLAINTEXT");
    p.put("listener.name.sasl_plaintext.sasl.enabled.mechanisms", "PLAIN");
    p.put(
        "listener.name.sasl_plaintext.plain.sasl.jaas.config",
        "org.apache.kafka.common.security.plain.PlainLoginModule required username=\""
            + user
            + "\" password=\""
            + password
            + "\" user_"
            + user
            + "=\""
            + password
            + "\";");
    return p;
  }
}
