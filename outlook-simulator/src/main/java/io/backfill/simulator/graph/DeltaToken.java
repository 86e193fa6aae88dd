package io.backfill.simulator.graph;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * A delta sync state, self-contained so it survives a restart: the mailbox (and its epoch), the
 * folder, the query it was made with, the change-log range of the round and the page cursor, and
 * when it was issued; signed with a fixed key so a client cannot forge or edit one.
 *
 * <p>A {@code $skiptoken} is a round in progress: changes in ({@code since}, {@code upto}], after
 * the cursor. A {@code $deltatoken} is a finished round: the next one covers changes after {@code
 * upto}. {@code since} is -1 for a first round, which lists every message and no removals.
 *
 * @param folder the folder's well-known name; empty for the folder list
 * @param phase 0 while messages are paged (cursor = received time and id), 1 for removals (cursor =
 *     seq)
 * @param select the query's $select, comma-separated, or empty for every property
 * @param from the query's lower bound on receivedDateTime, or null
 */
public record DeltaToken(
    boolean skip,
    String mailbox,
    String epoch,
    String folder,
    long since,
    long upto,
    int phase,
    Instant cursorTime,
    String cursorId,
    long cursorSeq,
    String select,
    Instant from,
    boolean fromInclusive,
    boolean text,
    Instant issued) {

  private static final String VERSION = "d1";
  private static final String SEP = "|";

  /**
   * The start of a new round over {@code folder} ("" for the folder list): nothing synced yet
   * ({@code since} -1), its range fixed when the first page is served.
   */
  public static DeltaToken fresh(
      String mailbox,
      String epoch,
      String folder,
      String select,
      Instant from,
      boolean fromInclusive,
      boolean text) {
    return new DeltaToken(
        true,
        mailbox,
        epoch,
        folder,
        -1,
        0,
        0,
        null,
        null,
        0,
        select,
        from,
        fromInclusive,
        text,
        Instant.EPOCH);
  }

  public String encode(byte[] key) {
    String plain =
        String.join(
            SEP,
            VERSION,
            skip ? "s" : "d",
            mailbox,
            epoch,
            folder,
            Long.toString(since),
            Long.toString(upto),
            Integer.toString(phase),
            cursorTime == null ? "" : cursorTime.toString(),
            cursorId == null ? "" : cursorId,
            Long.toString(cursorSeq),
            select,
            from == null ? "" : from.toString(),
            fromInclusive ? "1" : "0",
            text ? "1" : "0",
            issued.toString());
    String payload = b64(plain.getBytes(StandardCharsets.UTF_8));
    return payload + "." + b64(sign(key, payload));
  }

  /** Null when the text is not a token this simulator signed (the caller answers 400). */
  public static DeltaToken decode(String token, byte[] key) {
    if (token == null) {
      return null;
    }
    int dot = token.lastIndexOf('.');
    if (dot <= 0) {
      return null;
    }
    String payload = token.substring(0, dot);
    try {
      byte[] given = Base64.getUrlDecoder().decode(token.substring(dot + 1));
      if (!MessageDigest.isEqual(given, sign(key, payload))) {
        return null;
      }
      String plain = new String(Base64.getUrlDecoder().decode(payload), StandardCharsets.UTF_8);
      String[] p = plain.split("\\|", -1);
      if (p.length != 16 || !p[0].equals(VERSION)) {
        return null;
      }
      return new DeltaToken(
          p[1].equals("s"),
          p[2],
          p[3],
          p[4],
          Long.parseLong(p[5]),
          Long.parseLong(p[6]),
          Integer.parseInt(p[7]),
          p[8].isEmpty() ? null : Instant.parse(p[8]),
          p[9].isEmpty() ? null : p[9],
          Long.parseLong(p[10]),
          p[11],
          p[12].isEmpty() ? null : Instant.parse(p[12]),
          p[13].equals("1"),
          p[14].equals("1"),
          Instant.parse(p[15]));
    } catch (RuntimeException e) {
      // undecodable base64, numbers or instants: not one of ours
      return null;
    }
  }

  private static byte[] sign(byte[] key, String payload) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      byte[] full = mac.doFinal(payload.getBytes(StandardCharsets.UTF_8));
      byte[] cut = new byte[16];
      System.arraycopy(full, 0, cut, 0, cut.length);
      return cut;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is not available", e);
    }
  }

  private static String b64(byte[] bytes) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }
}
