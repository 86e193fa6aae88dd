package io.backfill.contracts.security;

import static org.assertj.core.api.Assertions.assertThat;

import io.backfill.contracts.security.LlmEndpointPolicy.Settings;
import io.backfill.contracts.security.LlmEndpointPolicy.Verdict;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class LlmEndpointPolicyTest {

  private static final LlmEndpointPolicy STRICT = new LlmEndpointPolicy(Settings.strict());

  @ParameterizedTest(name = "{0} → {1}")
  @CsvSource({
    // scheme
    "file:///etc/passwd, scheme",
    "gopher://api.openai.com:70/_x, scheme",
    "ftp://api.openai.com/v1, scheme",
    "api.openai.com/v1, scheme",
    "http://api.openai.com/v1, scheme",
    "http://127.0.0.1:8080/v1, scheme",
    "http://localhost:8080/v1, scheme",
    // user info tricks
    "https://api.openai.com@127.0.0.1/v1, userinfo",
    "https://user:pass@api.openai.com/v1, userinfo",
    // loopback, in every spelling
    "https://127.0.0.1/v1, loopback",
    "https://127.1.2.3/v1, loopback",
    "https://localhost/v1, loopback",
    "https://LOCALHOST./v1, loopback",
    "https://api.localhost/v1, loopback",
    "https://[::1]/v1, loopback",
    "https://[::ffff:127.0.0.1]/v1, loopback",
    "https://[0:0:0:0:0:ffff:7f00:1]/v1, loopback",
    "https://[::127.0.0.1]/v1, loopback",
    "https://[64:ff9b::7f00:1]/v1, loopback",
    // numeric shorthands that resolvers read as 127.0.0.1 or anything else
    "https://2130706433/v1, ip-literal-form",
    "https://0x7f.1/v1, ip-literal-form",
    "https://0x7f000001/v1, ip-literal-form",
    "https://0177.0.0.1/v1, ip-literal-form",
    "https://127.1/v1, ip-literal-form",
    "https://017700000001/v1, ip-literal-form",
    // private networks
    "https://10.0.0.5/v1, private",
    "https://172.16.0.1/v1, private",
    "https://172.31.255.255/v1, private",
    "https://192.168.1.10/v1, private",
    "https://[fc00::1]/v1, private",
    "https://[fd12:3456::1]/v1, private",
    "https://[::ffff:10.1.2.3]/v1, private",
    "https://[2002:c0a8:0101::1]/v1, private",
    // link-local
    "https://169.254.1.1/v1, link-local",
    "https://[fe80::1]/v1, link-local",
    "https://[fe80::1%25eth0]/v1, link-local",
    // metadata services
    "https://169.254.169.254/latest/meta-data, metadata",
    "https://[::ffff:169.254.169.254]/v1, metadata",
    "https://[fd00:ec2::254]/v1, metadata",
    "https://metadata.google.internal/computeMetadata/v1, metadata",
    "https://Metadata.Google.Internal./v1, metadata",
    // the rest
    "https://0.0.0.0/v1, unspecified",
    "https://[::]/v1, unspecified",
    "https://224.0.0.1/v1, multicast",
    "https://[ff02::1]/v1, multicast",
    "https://100.64.0.1/v1, cgnat",
    "https://100.127.255.255/v1, cgnat",
    "https://255.255.255.255/v1, reserved",
    "https://a_b.example.com/v1, host",
    "'https:///v1', host",
    "'https://api.openai.com:99999999999/v1', host",
    "'', malformed",
    "'https://api.openai.com/v1 x', malformed",
  })
  void refusedUrlsAreRefusedByTheirRuleWithoutDns(String url, String rule) {
    Verdict verdict = STRICT.check(url);

    assertThat(verdict.allowed()).as(url).isFalse();
    assertThat(verdict.rule()).as(url + ": " + verdict).isEqualTo(rule);
    assertThat(verdict.reason()).isNotBlank();
  }

  @ParameterizedTest
  @CsvSource({
    "https://api.openai.com/v1",
    "https://API.OpenAI.com:443/v1",
    "https://my-resource.openai.azure.com/openai/deployments/x",
    "https://8.8.8.8/v1",
    "https://100.128.0.1/v1",
    "https://172.32.0.1/v1",
    "https://[2606:4700::1111]/v1",
    "https://llm.example.com.:8443/v1",
  })
  void publicHttpsEndpointsAreAllowed(String url) {
    assertThat(STRICT.check(url).allowed()).as(STRICT.check(url).toString()).isTrue();
  }

  @Test
  void loopbackOverPlainHttpIsAllowedOnlyWhenTheOperatorSaysSo() {
    LlmEndpointPolicy local = new LlmEndpointPolicy(new Settings(true, Set.of()));

    assertThat(local.check("http://127.0.0.1:8089/v1").allowed()).isTrue();
    assertThat(local.check("http://localhost:8089/v1").allowed()).isTrue();
    assertThat(local.check("http://[::1]:8089/v1").allowed()).isTrue();
    assertThat(local.check("https://127.0.0.1:8089/v1").allowed()).isTrue();
    // Still no plain http anywhere else, and still no private networks.
    assertThat(local.check("http://api.openai.com/v1").rule()).isEqualTo("scheme");
    assertThat(local.check("http://10.0.0.1/v1").rule()).isEqualTo("scheme");
    assertThat(local.check("https://10.0.0.1/v1").rule()).isEqualTo("private");
    assertThat(local.check("http://169.254.169.254/").rule()).isEqualTo("scheme");
    assertThat(local.check("http://2130706433/v1").rule()).isEqualTo("scheme");
  }

  @Test
  void anAllowedHostSkipsTheAddressAndSchemeRulesButNotUserInfo() {
    LlmEndpointPolicy policy =
        new LlmEndpointPolicy(
            new Settings(false, Set.of(" llm.internal.corp ", "10.0.0.7")),
            host -> {
              throw new AssertionError("an allowed host is not resolved: " + host);
            });

    assertThat(policy.checkResolved("https://LLM.internal.corp/v1").allowed()).isTrue();
    assertThat(policy.checkResolved("https://10.0.0.7/v1").allowed()).isTrue();
    assertThat(policy.checkResolved("http://llm.internal.corp:8090/v1").allowed()).isTrue();
    assertThat(policy.check("http://llm.other.corp/v1").rule()).isEqualTo("scheme");
    assertThat(policy.check("https://x@llm.internal.corp/v1").rule()).isEqualTo("userinfo");
    assertThat(policy.check("https://10.0.0.8/v1").rule()).isEqualTo("private");
  }

  @Test
  void theResolvingCheckRefusesANameWhenAnyOfItsAddressesIsRefused() throws Exception {
    Map<String, InetAddress[]> dns =
        Map.of(
            "api.example.com", addresses("104.18.6.192", "104.18.7.192"),
            "rebind.example.com", addresses("104.18.6.192", "127.0.0.1"),
            "meta.example.com", addresses("169.254.169.254"),
            "v6.example.com", addresses("2606:4700::1111", "fd00:ec2::254"),
            "mapped.example.com", addresses("::ffff:192.168.0.1"),
            "cgnat.example.com", addresses("100.100.0.1"));
    LlmEndpointPolicy policy = new LlmEndpointPolicy(Settings.strict(), resolver(dns));

    assertThat(policy.checkResolved("https://api.example.com/v1").allowed()).isTrue();
    assertThat(policy.checkResolved("https://rebind.example.com/v1").rule()).isEqualTo("loopback");
    assertThat(policy.checkResolved("https://meta.example.com/v1").rule()).isEqualTo("metadata");
    assertThat(policy.checkResolved("https://v6.example.com/v1").rule()).isEqualTo("metadata");
    assertThat(policy.checkResolved("https://mapped.example.com/v1").rule()).isEqualTo("private");
    assertThat(policy.checkResolved("https://cgnat.example.com/v1").rule()).isEqualTo("cgnat");
    assertThat(policy.checkResolved("https://nowhere.example.com/v1").rule())
        .isEqualTo("unresolvable");
    // The syntactic check passes every one of these names: only resolving finds them out.
    assertThat(policy.check("https://rebind.example.com/v1").allowed()).isTrue();
    assertThat(policy.checkResolved("https://meta.example.com/v1").reason())
        .contains("meta.example.com")
        .contains("169.254.169.254");
  }

  @Test
  void theResolvingCheckResolvesNothingWhenTheUrlIsRefusedAsWritten() {
    AtomicInteger lookups = new AtomicInteger();
    LlmEndpointPolicy policy =
        new LlmEndpointPolicy(
            Settings.strict(),
            host -> {
              lookups.incrementAndGet();
              return addresses("104.18.6.192");
            });

    assertThat(policy.checkResolved("http://api.example.com/v1").rule()).isEqualTo("scheme");
    assertThat(policy.checkResolved("https://169.254.169.254/").rule()).isEqualTo("metadata");
    assertThat(lookups).hasValue(0);
  }

  @Test
  void theReasonNeverShowsTheUserInfo() {
    Verdict verdict = STRICT.check("https://sk-secret123:x@api.openai.com/v1");

    assertThat(verdict.rule()).isEqualTo("userinfo");
    assertThat(verdict.toString()).doesNotContain("sk-secret123");
  }

  private static LlmEndpointPolicy.Resolver resolver(Map<String, InetAddress[]> dns) {
    return host -> {
      InetAddress[] found = dns.get(host);
      if (found == null) {
        throw new UnknownHostException(host);
      }
      return found;
    };
  }

  private static InetAddress[] addresses(String... literals) {
    InetAddress[] result = new InetAddress[literals.length];
    try {
      for (int i = 0; i < literals.length; i++) {
        result[i] = InetAddress.getByName(literals[i]);
      }
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException(e);
    }
    return result;
  }
}
