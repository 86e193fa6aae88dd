package io.backfill.worker.llm;

import java.net.SocketTimeoutException;
import java.net.http.HttpTimeoutException;

/** How a call to the model that threw instead of answering failed. */
final class CallFailures {

  private CallFailures() {}

  /**
   * Whether the call ran out of time rather than failing otherwise, by the types the clients throw,
   * anywhere in the chain of causes: the wait's own bound ({@link
   * io.smallrye.mutiny.TimeoutException}), the REST client's read timeout (Vert.x fails the request
   * with a {@link java.util.concurrent.TimeoutException}), its connect timeout (Netty's {@link
   * io.netty.channel.ConnectTimeoutException}), a socket's read timeout ({@link
   * SocketTimeoutException}) and the JDK HTTP client's request or connect timeout ({@link
   * HttpTimeoutException}).
   */
  static boolean isTimeout(Throwable failure) {
    int depth = 0;
    for (Throwable t = failure; t != null && depth < 32; t = t.getCause(), depth++) {
      if (t instanceof io.smallrye.mutiny.TimeoutException
          || t instanceof java.util.concurrent.TimeoutException
          || t instanceof io.netty.channel.ConnectTimeoutException
          || t instanceof SocketTimeoutException
          || t instanceof HttpTimeoutException) {
        return true;
      }
      if (t.getCause() == t) {
        break;
      }
    }
    return false;
  }
}
