package io.backfill.gateway.domain;

import io.backfill.gateway.persistence.Sql;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Tenants' BYOK secrets, encrypted at rest. Names are normalised to lower case (LESSONS 13: a key
 * stored as OPENAI_API_KEY must be found as openai_api_key). Values are never logged or returned to
 * tenants; only the internal endpoint hands them to services.
 */
@ApplicationScoped
public class TenantSecrets {

  /** The secret the LLM credentials are read from. */
  public static final String LLM_API_KEY = "openai_api_key";

  /** An optional OpenAI-compatible base URL that goes with the key. */
  public static final String LLM_BASE_URL = "openai_base_url";

  /**
   * The Microsoft Entra directory (tenant) id of the tenant's own app registration. Writable by the
   * tenant only once it stored that app's client id and secret, and used only with them; the
   * directory the operator's app reads is bound by admin consent ({@link GraphDirectories}).
   */
  public static final String GRAPH_DIRECTORY_ID = "graph_directory_id";

  /** The client id of the tenant's own app registration, when it brings one. */
  public static final String GRAPH_CLIENT_ID = "graph_client_id";

  /** The client secret of the tenant's own app registration, when it brings one. */
  public static final String GRAPH_CLIENT_SECRET = "graph_client_secret";

  private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9_.-]{0,63}");

  private final EntityManager em;
  private final SecretCipher cipher;

  TenantSecrets(EntityManager em, SecretCipher cipher) {
    this.em = em;
    this.cipher = cipher;
  }

  /** The normalised name, or empty when it is not a valid secret name. */
  public static Optional<String> normalise(String name) {
    if (name == null) {
      return Optional.empty();
    }
    String normalised = name.trim().toLowerCase(Locale.ROOT);
    return NAME.matcher(normalised).matches() ? Optional.of(normalised) : Optional.empty();
  }

  @Transactional
  public void put(String tenantId, String normalisedName, String value) {
    MasterKeyring.Sealed sealed = cipher.seal(tenantId, normalisedName, value);
    em.createNativeQuery(
            "INSERT INTO tenant_secrets (tenant_id, name, key_id, nonce, ciphertext, updated_at)"
                + " VALUES (:tenant, :name, :key, :nonce, :ciphertext, now())"
                + " ON CONFLICT (tenant_id, name) DO UPDATE SET key_id = EXCLUDED.key_id,"
                + " nonce = EXCLUDED.nonce, ciphertext = EXCLUDED.ciphertext, updated_at = now()")
        .setParameter("tenant", tenantId)
        .setParameter("name", normalisedName)
        .setParameter("key", sealed.keyId())
        .setParameter("nonce", sealed.nonce())
        .setParameter("ciphertext", sealed.ciphertext())
        .executeUpdate();
  }

  /** False when there was no such secret. */
  @Transactional
  public boolean delete(String tenantId, String normalisedName) {
    return em.createNativeQuery(
                "DELETE FROM tenant_secrets WHERE tenant_id = :tenant AND name = :name")
            .setParameter("tenant", tenantId)
            .setParameter("name", normalisedName)
            .executeUpdate()
        == 1;
  }

  /**
   * Whether the tenant stored both the client id and the secret of its own app registration. Those
   * credentials open only directories that consented to that app, so with them the tenant may name
   * its directory itself.
   */
  @Transactional
  public boolean hasOwnGraphApp(String tenantId) {
    return ((Number)
                em.createNativeQuery(
                        "SELECT count(*) FROM tenant_secrets WHERE tenant_id = :tenant"
                            + " AND name IN (:clientId, :clientSecret)")
                    .setParameter("tenant", tenantId)
                    .setParameter("clientId", GRAPH_CLIENT_ID)
                    .setParameter("clientSecret", GRAPH_CLIENT_SECRET)
                    .getSingleResult())
            .intValue()
        == 2;
  }

  @Transactional
  public Optional<String> get(String tenantId, String normalisedName) {
    @SuppressWarnings("unchecked")
    List<Object[]> rows =
        Sql.bind(
                em.createNativeQuery(
                    "SELECT key_id, nonce, ciphertext FROM tenant_secrets"
                        + " WHERE tenant_id = :tenant AND name = :name"),
                "name",
                normalisedName,
                String.class)
            .setParameter("tenant", tenantId)
            .getResultList();
    return rows.stream()
        .findFirst()
        .map(
            row ->
                cipher.open(
                    tenantId,
                    normalisedName,
                    new MasterKeyring.Sealed((String) row[0], (byte[]) row[1], (byte[]) row[2])));
  }
}
