package io.backfill.contracts.security;

import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Removes what looks like a credential from text that came from outside (an LLM provider's error
 * body, an exception message) before it is logged, published or stored: providers echo the key they
 * refused ("Incorrect API key provided: sk-***…abcd"), and even a masked key narrows it down.
 */
public final class SecretRedaction {

  public static final String REDACTED = "[redacted]";

  /** Longer input is cut first: redaction stays linear in a bounded size, and so do the logs. */
  public static final int MAX_INPUT_CHARS = 4096;

  /**
   * OpenAI-style keys, masked ones included ({@code sk-proj-…}, {@code sk-***…abcd}): {@code sk-}
   * followed by anything up to the next space, quote or bracket (a full stop that ends the sentence
   * is kept).
   */
  private static final Pattern API_KEY =
      Pattern.compile("(?i)\\bsk-[^\\s\"'<>()\\[\\]{},;]*?(?=\\.?(?:[\\s\"'<>()\\[\\]{},;]|$))");

  /** An HTTP credential with its scheme: {@code Bearer x}, {@code Basic x}. */
  private static final Pattern AUTH_SCHEME =
      Pattern.compile("(?i)\\b(Bearer|Basic)\\s+[A-Za-z0-9_\\-+/=.~*…]+");

  /** A run of 20+ token-like characters: checked for both letters and digits before redacting. */
  private static final Pattern TOKEN_RUN = Pattern.compile("[A-Za-z0-9_\\-+/=.]{20,}");

  /** UUIDs are identifiers (tenants, runs, attempts), not secrets: kept so logs stay useful. */
  private static final Pattern UUID =
      Pattern.compile(
          "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");

  private SecretRedaction() {}

  /** The text with every credential-like part replaced by {@value #REDACTED}; null stays null. */
  public static String redact(String text) {
    if (text == null) {
      return null;
    }
    String bounded =
        text.length() > MAX_INPUT_CHARS ? text.substring(0, MAX_INPUT_CHARS) + "…(cut)" : text;
    String result = API_KEY.matcher(bounded).replaceAll(REDACTED);
    result = AUTH_SCHEME.matcher(result).replaceAll("$1 " + REDACTED);
    Matcher runs = TOKEN_RUN.matcher(result);
    StringBuilder out = new StringBuilder(result.length());
    while (runs.find()) {
      String run = runs.group();
      runs.appendReplacement(out, Matcher.quoteReplacement(looksLikeToken(run) ? REDACTED : run));
    }
    runs.appendTail(out);
    return out.toString();
  }

  /**
   * {@link #redact(String)} line by line, so a long multi-line text (a stack trace) keeps its shape
   * and length bound instead of being cut at {@value #MAX_INPUT_CHARS} characters; null stays null.
   */
  public static String redactLines(String text) {
    if (text == null) {
      return null;
    }
    return text.lines().map(SecretRedaction::redact).collect(Collectors.joining("\n"));
  }

  /** A run with letters and digits, once the UUIDs in it are set aside, of 20+ characters. */
  private static boolean looksLikeToken(String run) {
    String rest = UUID.matcher(run).replaceAll(" ");
    return TOKEN_RUN.matcher(rest).results().anyMatch(m -> lettersAndDigits(m.group()));
  }

  private static boolean lettersAndDigits(String run) {
    boolean letter = false;
    boolean digit = false;
    for (int i = 0; i < run.length() && !(letter && digit); i++) {
      char c = run.charAt(i);
      letter |= Character.isLetter(c);
      digit |= Character.isDigit(c);
    }
    return letter && digit;
  }
}
