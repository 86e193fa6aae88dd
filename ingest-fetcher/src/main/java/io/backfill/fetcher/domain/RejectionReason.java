package io.backfill.fetcher.domain;

/**
 * The {@code reason} of a JobRejected that is about who asked rather than what was asked: a fixed
 * word a consumer can match on. The event already carries the tenant and request ids.
 */
public final class RejectionReason {

  /** The tenant is not in the registry, or the gateway has no Graph connection for it. */
  public static final String UNKNOWN_TENANT = "unknown-tenant";

  /** The tenant is registered but suspended: it may start no new job. */
  public static final String TENANT_SUSPENDED = "tenant-suspended";

  /** The mailbox's domain is none of the verified domains of the tenant's directory. */
  public static final String MAILBOX_OUTSIDE_DIRECTORY = "mailbox-outside-directory";

  /**
   * The tenant's directory refused to let its domains be read: the app is not in the directory or
   * was never consented (an AADSTS token error), or lacks {@code Organization.Read.All}.
   */
  public static final String DIRECTORY_REFUSED = "directory-refused";

  private RejectionReason() {}
}
