package io.backfill.gateway.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class MasterKeyringTest {

  private static final String OLD = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";
  private static final String NEW = "ICEiIyQlJicoKSorLC0uLzAxMjM0NTY3ODk6Ozw9Pj8=";

  @Test
  void theNewestKeySealsAndEveryConfiguredKeyOpensWhatItSealed() {
    MasterKeyring before = MasterKeyring.of(List.of(), Optional.of(OLD));
    MasterKeyring during = MasterKeyring.of(List.of("k2:" + NEW), Optional.of(OLD));
    MasterKeyring after = MasterKeyring.of(List.of("k2:" + NEW), Optional.empty());

    MasterKeyring.Sealed old = before.seal("acme", "openai_api_key", "sk-old");
    MasterKeyring.Sealed fresh = during.seal("acme", "openai_api_key", "sk-new");

    assertThat(old.keyId()).isEqualTo(MasterKeyring.DEFAULT_ID);
    assertThat(fresh.keyId()).isEqualTo("k2");
    assertThat(during.activeKeyId()).isEqualTo("k2");
    assertThat(during.keyIds()).containsExactly("k2", MasterKeyring.DEFAULT_ID);
    assertThat(during.open("acme", "openai_api_key", old)).isEqualTo("sk-old");
    assertThat(during.open("acme", "openai_api_key", fresh)).isEqualTo("sk-new");
    assertThat(after.open("acme", "openai_api_key", fresh)).isEqualTo("sk-new");
    assertThatThrownBy(() -> after.open("acme", "openai_api_key", old))
        .isInstanceOf(MasterKeyring.UnknownKeyException.class)
        .hasMessageContaining("default")
        .hasMessageNotContaining("sk-old");
  }

  @Test
  void aCiphertextMovedToAnotherTenantNameOrKeyIdDoesNotOpen() {
    MasterKeyring keyring = MasterKeyring.of(List.of("k2:" + NEW), Optional.of(OLD));
    MasterKeyring.Sealed sealed = keyring.seal("acme", "openai_api_key", "sk-acme");

    assertThatThrownBy(() -> keyring.open("globex", "openai_api_key", sealed))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageNotContaining("sk-acme");
    assertThatThrownBy(() -> keyring.open("acme", "graph_client_secret", sealed))
        .isInstanceOf(IllegalStateException.class);
    MasterKeyring.Sealed relabelled =
        new MasterKeyring.Sealed(MasterKeyring.DEFAULT_ID, sealed.nonce(), sealed.ciphertext());
    assertThatThrownBy(() -> keyring.open("acme", "openai_api_key", relabelled))
        .isInstanceOf(IllegalStateException.class);
  }

  @Test
  void unusableConfigurationsAreRefusedWithoutPrintingKeyMaterial() {
    String shortKey = "AAECAwQFBgcICQoLDA0ODw==";
    for (var config :
        List.of(
            new Object[] {List.of(), Optional.empty(), "neither"},
            new Object[] {List.of(), Optional.of("  "), "neither"},
            new Object[] {List.of("k2" + NEW), Optional.empty(), "not id:base64"},
            new Object[] {List.of("k 2:" + NEW), Optional.empty(), "invalid id"},
            new Object[] {List.of("k2:" + shortKey), Optional.empty(), "was 16 bytes"},
            new Object[] {List.of("k2:not*base64"), Optional.empty(), "not valid base64"},
            new Object[] {List.of("k2:" + NEW, "k2:" + OLD), Optional.empty(), "twice"},
            new Object[] {List.of("default:" + NEW), Optional.of(OLD), "twice"})) {
      @SuppressWarnings("unchecked")
      List<String> keys = (List<String>) config[0];
      @SuppressWarnings("unchecked")
      Optional<String> legacy = (Optional<String>) config[1];
      assertThatThrownBy(() -> MasterKeyring.of(keys, legacy))
          .isInstanceOf(MasterKeyring.InvalidConfigException.class)
          .hasMessageContaining((String) config[2])
          .hasMessageNotContaining(NEW)
          .hasMessageNotContaining(OLD)
          .hasMessageNotContaining(shortKey);
    }
  }
}
