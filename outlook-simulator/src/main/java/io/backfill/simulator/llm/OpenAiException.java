package io.backfill.simulator.llm;

import java.util.Map;

/**
 * An OpenAI API error: status and {@code {"error":{message,type,param,code}}}, plus headers such as
 * {@code retry-after}. Rendered once, by {@link OpenAiExceptionMapper}.
 */
public class OpenAiException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  private final int status;
  private final String type;
  private final String param;
  private final String code;
  private final Map<String, String> headers;

  public OpenAiException(int status, String message, String type, String param, String code) {
    this(status, message, type, param, code, Map.of());
  }

  public OpenAiException(
      int status,
      String message,
      String type,
      String param,
      String code,
      Map<String, String> headers) {
    super(message, null, false, false);
    this.status = status;
    this.type = type;
    this.param = param;
    this.code = code;
    this.headers = Map.copyOf(headers);
  }

  public static OpenAiException invalidRequest(String message, String param) {
    return new OpenAiException(400, message, "invalid_request_error", param, null);
  }

  public int status() {
    return status;
  }

  public String type() {
    return type;
  }

  public String param() {
    return param;
  }

  public String code() {
    return code;
  }

  public Map<String, String> headers() {
    return headers;
  }
}
