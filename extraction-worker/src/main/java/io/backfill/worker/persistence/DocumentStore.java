package io.backfill.worker.persistence;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import io.backfill.contracts.event.Chunk;
import io.backfill.contracts.event.MailMessage;
import io.backfill.contracts.event.Recipient;
import io.backfill.contracts.id.JobId;
import io.backfill.contracts.serde.EventJson;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The documents' SQL, written out where it is used. Callers own the transaction; every method runs
 * inside it. Plain JDBC on the transaction's connection, so a chunk's upserts go to the database as
 * one batch.
 */
@ApplicationScoped
public class DocumentStore {

  private static final TypeReference<List<Recipient>> RECIPIENTS = new TypeReference<>() {};

  private final Jdbc jdbc;

  DocumentStore(Jdbc jdbc) {
    this.jdbc = jdbc;
  }

  /**
   * Inserts or updates one document per message of the chunk, keyed by (tenant, message id). An
   * update takes the chunk's content, keeps first_extracted_at and counts the extraction.
   */
  public void upsertAll(Chunk chunk) {
    upsert(chunk, chunk.messages());
  }

  /**
   * As {@link #upsertAll}, for the chunk's messages that are written (new or changed). One
   * statement whatever the number of messages: each column goes as one array parameter and unnest
   * turns them back into rows, so the driver handles 16 parameters instead of 16 per message, and
   * the server prepares one statement shape instead of one per batch size.
   */
  public void upsert(Chunk chunk, java.util.Collection<MailMessage> messages) {
    if (messages.isEmpty()) {
      return;
    }
    // Each message once (the last copy wins): one upsert may not touch a row twice.
    Map<String, MailMessage> byId = new LinkedHashMap<>();
    messages.forEach(m -> byId.put(m.id(), m));
    int n = byId.size();
    String[] ids = new String[n];
    String[] internetIds = new String[n];
    String[] conversations = new String[n];
    String[] subjects = new String[n];
    String[] received = new String[n];
    String[] sent = new String[n];
    String[] fromNames = new String[n];
    String[] fromAddresses = new String[n];
    String[] to = new String[n];
    String[] cc = new String[n];
    String[] bodies = new String[n];
    Boolean[] truncated = new Boolean[n];
    int i = 0;
    for (MailMessage message : byId.values()) {
      Recipient from = message.from();
      ids[i] = message.id();
      internetIds[i] = message.internetMessageId();
      conversations[i] = message.conversationId();
      subjects[i] = message.subject();
      received[i] = SqlArrays.timestamp(message.receivedAt());
      sent[i] = SqlArrays.timestamp(message.sentAt());
      fromNames[i] = from == null ? null : from.name();
      fromAddresses[i] = from == null ? null : from.address();
      to[i] = json(message.to());
      cc[i] = json(message.cc());
      bodies[i] = message.body();
      truncated[i] = message.bodyTruncated();
      i++;
    }
    jdbc.run(
        connection -> {
          try (PreparedStatement upsert =
              connection.prepareStatement(
                  """
                      INSERT INTO documents (tenant_id, message_id, job_id, run_id, seq,
                                             internet_message_id, conversation_id, subject,
                                             received_at, sent_at, from_name, from_address,
                                             to_addresses, cc_addresses, body, body_truncated)
                      SELECT ?::text, m.message_id, ?::uuid, ?::text, ?::int,
                             m.internet_message_id, m.conversation_id, m.subject,
                             m.received_at::timestamptz, m.sent_at::timestamptz, m.from_name,
                             m.from_address, m.to_addresses::jsonb, m.cc_addresses::jsonb, m.body,
                             m.body_truncated
                        FROM unnest(?::text[], ?::text[], ?::text[], ?::text[], ?::text[],
                                    ?::text[], ?::text[], ?::text[], ?::text[], ?::text[],
                                    ?::text[], ?::boolean[])
                          AS m(message_id, internet_message_id, conversation_id, subject,
                               received_at, sent_at, from_name, from_address, to_addresses,
                               cc_addresses, body, body_truncated)
                      ON CONFLICT (tenant_id, message_id) DO UPDATE SET
                        job_id = EXCLUDED.job_id,
                        run_id = EXCLUDED.run_id,
                        seq = EXCLUDED.seq,
                        internet_message_id = EXCLUDED.internet_message_id,
                        conversation_id = EXCLUDED.conversation_id,
                        subject = EXCLUDED.subject,
                        received_at = EXCLUDED.received_at,
                        sent_at = EXCLUDED.sent_at,
                        from_name = EXCLUDED.from_name,
                        from_address = EXCLUDED.from_address,
                        to_addresses = EXCLUDED.to_addresses,
                        cc_addresses = EXCLUDED.cc_addresses,
                        body = EXCLUDED.body,
                        body_truncated = EXCLUDED.body_truncated,
                        last_extracted_at = now(),
                        extraction_count = documents.extraction_count + 1
                      """)) {
            upsert.setString(1, chunk.tenantId());
            upsert.setObject(2, UUID.fromString(chunk.jobId().value()));
            upsert.setString(3, chunk.runId().value());
            upsert.setInt(4, chunk.seq());
            upsert.setArray(5, SqlArrays.texts(connection, ids));
            upsert.setArray(6, SqlArrays.texts(connection, internetIds));
            upsert.setArray(7, SqlArrays.texts(connection, conversations));
            upsert.setArray(8, SqlArrays.texts(connection, subjects));
            upsert.setArray(9, SqlArrays.texts(connection, received));
            upsert.setArray(10, SqlArrays.texts(connection, sent));
            upsert.setArray(11, SqlArrays.texts(connection, fromNames));
            upsert.setArray(12, SqlArrays.texts(connection, fromAddresses));
            upsert.setArray(13, SqlArrays.texts(connection, to));
            upsert.setArray(14, SqlArrays.texts(connection, cc));
            upsert.setArray(15, SqlArrays.texts(connection, bodies));
            upsert.setArray(16, connection.createArrayOf("bool", truncated));
            upsert.executeUpdate();
          }
        });
  }

  /** The documents a job last extracted for a tenant, by message id. */
  public List<DocumentRow> documentsOf(String tenantId, JobId jobId) {
    return jdbc.call(
        connection -> {
          try (PreparedStatement query =
              connection.prepareStatement(
                  """
                      SELECT tenant_id, message_id, job_id, run_id, seq, internet_message_id,
                             conversation_id, subject, received_at, sent_at, from_name,
                             from_address, to_addresses::text, cc_addresses::text, body,
                             body_truncated, first_extracted_at, last_extracted_at,
                             extraction_count
                      FROM documents WHERE tenant_id = ? AND job_id = ? ORDER BY message_id
                      """)) {
            query.setString(1, tenantId);
            query.setObject(2, UUID.fromString(jobId.value()));
            List<DocumentRow> rows = new ArrayList<>();
            try (ResultSet rs = query.executeQuery()) {
              while (rs.next()) {
                rows.add(row(rs));
              }
            }
            return rows;
          }
        });
  }

  private static DocumentRow row(ResultSet rs) throws SQLException {
    return new DocumentRow(
        rs.getString(1),
        rs.getString(2),
        rs.getObject(3, UUID.class),
        rs.getString(4),
        rs.getInt(5),
        rs.getString(6),
        rs.getString(7),
        rs.getString(8),
        instant(rs, 9),
        instant(rs, 10),
        rs.getString(11),
        rs.getString(12),
        recipients(rs.getString(13)),
        recipients(rs.getString(14)),
        rs.getString(15),
        rs.getBoolean(16),
        instant(rs, 17),
        instant(rs, 18),
        rs.getInt(19));
  }

  private static Instant instant(ResultSet rs, int column) throws SQLException {
    OffsetDateTime value = rs.getObject(column, OffsetDateTime.class);
    return value == null ? null : value.toInstant();
  }

  private static String json(List<Recipient> recipients) {
    try {
      return EventJson.mapper().writeValueAsString(recipients);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("could not write recipients as JSON", e);
    }
  }

  private static List<Recipient> recipients(String json) throws SQLException {
    try {
      return EventJson.mapper().readValue(json, RECIPIENTS);
    } catch (JsonProcessingException e) {
      throw new SQLException("stored recipients are not a JSON list of recipients", e);
    }
  }
}
