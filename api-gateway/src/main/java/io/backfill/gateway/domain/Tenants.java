package io.backfill.gateway.domain;

import io.backfill.contracts.rules.TenantIds;
import io.backfill.gateway.persistence.TenantStore;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;
import java.time.Instant;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The tenants the gateway knows, and whether each is active or suspended. A tenant id is chosen by
 * the operator and never changes. A suspended tenant's keys are refused and other services are
 * refused its credentials; suspension keeps every row, so reactivation restores it as it was.
 */
@ApplicationScoped
public class Tenants {

  /** Ids appear in topic keys ({@code tenantId/mailbox}) and URLs: the contracts' one form. */
  public static final Pattern ID = TenantIds.PATTERN;

  /** A tenant's standing. */
  public enum Status {
    ACTIVE,
    SUSPENDED;

    public String value() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  private final TenantStore store;

  Tenants(TenantStore store) {
    this.store = store;
  }

  /** Creates a tenant; false when one with this id exists already. */
  @Transactional
  public boolean create(String tenantId, String name) {
    return store.insertIfAbsent(tenantId, name);
  }

  /** A tenant as the operator sees it; {@code suspendedAt} is null for an active tenant. */
  public record Tenant(String tenantId, String name, Instant createdAt, Instant suspendedAt) {

    public Status status() {
      return suspendedAt == null ? Status.ACTIVE : Status.SUSPENDED;
    }
  }

  @Transactional
  public Optional<Tenant> find(String tenantId) {
    return store
        .find(tenantId)
        .map(row -> new Tenant(row.tenantId(), row.name(), row.createdAt(), row.suspendedAt()));
  }

  /** The tenant's status, or empty for an unknown tenant. */
  public Optional<Status> status(String tenantId) {
    return find(tenantId).map(Tenant::status);
  }

  @Transactional
  public boolean exists(String tenantId) {
    return store.exists(tenantId);
  }

  /**
   * Suspends or reactivates the tenant; false for an unknown tenant. Suspending a suspended tenant
   * keeps its first suspension time.
   */
  @Transactional
  public boolean setSuspended(String tenantId, boolean suspended) {
    return suspended ? store.suspend(tenantId) : store.reactivate(tenantId);
  }
}
