package io.backfill.fetcher.graph;

/** Graph did not tell a directory's verified domains now (timeout, 5xx, 429): worth retrying. */
public class DirectoryUnavailable extends RuntimeException {

  public DirectoryUnavailable(String message, Throwable cause) {
    super(message, cause);
  }
}
