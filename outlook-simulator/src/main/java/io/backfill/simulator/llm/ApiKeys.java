package io.backfill.simulator.llm;

import io.backfill.simulator.config.SimulatorConfig;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Map;

/** The per-tenant API keys, checked as OpenAI checks them. */
@ApplicationScoped
public class ApiKeys {

  private final Map<String, String> keys;

  ApiKeys(SimulatorConfig config) {
    this.keys = config.llm().keys();
  }

  /** The tenant whose key is in the Authorization header, or 401 in OpenAI's shape. */
  public String tenantOf(String authorization) {
    if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
      throw new OpenAiException(
          401,
          "You didn't provide an API key. You need to provide your API key in an Authorization"
              + " header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).",
          "invalid_request_error",
          null,
          null);
    }
    String key = authorization.substring(7).trim();
    for (Map.Entry<String, String> entry : keys.entrySet()) {
      if (entry.getValue().equals(key)) {
        return entry.getKey();
      }
    }
    throw new OpenAiException(
        401,
        "Incorrect API key provided: "
            + masked(key)
            + ". You can find your API key at"
            + " https://platform.openai.com/account/api-keys.",
        "invalid_request_error",
        null,
        "invalid_api_key");
  }

  /** OpenAI shows only the ends of a wrong key. */
  static String masked(String key) {
    if (key.length() <= 8) {
      return "*".repeat(key.length());
    }
    return key.substring(0, 3)
        + "*".repeat(Math.min(20, key.length() - 7))
        + key.substring(key.length() - 4);
  }
}
