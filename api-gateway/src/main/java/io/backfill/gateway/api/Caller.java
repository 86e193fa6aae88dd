package io.backfill.gateway.api;

import jakarta.enterprise.context.RequestScoped;
import java.util.UUID;

/**
 * Who is calling the public API, as {@link BearerAuthFilter} established it: a tenant (by API key)
 * or the operator (admin token). Resources ask for the role they need. Other Backfill services call
 * {@link InternalServer} with the service token instead.
 */
@RequestScoped
public class Caller {

  /** The kinds of caller. */
  public enum Role {
    TENANT,
    ADMIN
  }

  private Role role;
  private String tenantId;
  private UUID keyId;

  void authenticate(Role role, String tenantId) {
    authenticate(role, tenantId, null);
  }

  void authenticate(Role role, String tenantId, UUID keyId) {
    this.role = role;
    this.tenantId = tenantId;
    this.keyId = keyId;
  }

  /** True when a tenant's API key authenticated this request. */
  public boolean isTenant() {
    return role == Role.TENANT;
  }

  /** The API key a tenant called with; null for the admin or a service. */
  public UUID keyId() {
    return keyId;
  }

  /** The caller's tenant; 403 for the admin, who acts for no tenant. */
  public String tenantId() {
    if (role != Role.TENANT) {
      throw forbidden("This endpoint needs a tenant API key.");
    }
    return tenantId;
  }

  public void requireAdmin() {
    if (role != Role.ADMIN) {
      throw forbidden("This endpoint needs the admin token.");
    }
  }

  private static ProblemException forbidden(String detail) {
    return new ProblemException(Problem.of("forbidden", "Forbidden", 403, detail));
  }
}
