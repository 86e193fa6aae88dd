package io.backfill.gateway.domain;

import io.backfill.gateway.persistence.SecretStore;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;
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

  private final SecretStore store;
  private final SecretCipher cipher;

  TenantSecrets(SecretStore store, SecretCipher cipher) {
    this.store = store;
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
    store.put(
        tenantId,
        normalisedName,
        new SecretStore.SealedSecret(sealed.keyId(), sealed.nonce(), sealed.ciphertext()));
  }

  /** False when there was no such secret. */
  @Transactional
  public boolean delete(String tenantId, String normalisedName) {
    return store.delete(tenantId, normalisedName);
  }

  /**
   * Whether the tenant stored both the client id and the secret of its own app registration. Those
   * credentials open only directories that consented to that app, so with them the tenant may name
   * its directory itself.
   */
  @Transactional
  public boolean hasOwnGraphApp(String tenantId) {
    return store.countNamed(tenantId, GRAPH_CLIENT_ID, GRAPH_CLIENT_SECRET) == 2;
  }

  @Transactional
  public Optional<String> get(String tenantId, String normalisedName) {
    return store
        .find(tenantId, normalisedName)
        .map(
            row ->
                cipher.open(
                    tenantId,
                    normalisedName,
                    new MasterKeyring.Sealed(row.keyId(), row.nonce(), row.ciphertext())));
  }
}
