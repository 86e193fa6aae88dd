package io.backfill.fetcher.tenant;

/** The tenant registry (the gateway) did not answer or answered an error: worth retrying. */
public class TenantRegistryUnavailable extends RuntimeException {

  public TenantRegistryUnavailable(String message, Throwable cause) {
    super(message, cause);
  }
}
