package io.backfill.contracts.security;

import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Where a tenant's LLM base URL may point: the worker POSTs a tenant's mail there, so it must be a
 * public HTTPS endpoint, never this machine, a private or link-local network, or a cloud metadata
 * service. {@link #check(String)} is the syntactic check (no DNS, for write time); {@link
 * #checkResolved(String)} also resolves the host and refuses it when any of its addresses is in a
 * refused range (at use time, since a name may be re-pointed after it was accepted).
 *
 * <p>Rules: the scheme is {@code https}; plain {@code http} only to a loopback host and only with
 * {@code allowLoopbackHttp} (a local simulator); no user info; an IP literal is in canonical form
 * (no decimal, octal or hex shorthands); the host or its addresses are not loopback (unless {@code
 * allowLoopbackHttp}), private, link-local, multicast, unspecified, carrier-grade NAT, reserved,
 * IPv6 forms embedding such an IPv4 address, or a metadata address — unless {@code allowedHosts}
 * names the host, which is then allowed over {@code https} or plain {@code http} (user info is
 * refused all the same).
 */
public final class LlmEndpointPolicy {

  /** Names that are this machine or a metadata service without any DNS answer. */
  private static final Set<String> LOOPBACK_NAMES = Set.of("localhost", "localhost.localdomain");

  private static final Set<String> METADATA_NAMES =
      Set.of("metadata.google.internal", "metadata", "instance-data");

  private static final Pattern CANONICAL_IPV4 =
      Pattern.compile(
          "(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)(\\.(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)){3}");

  /** A label that inet_aton and WHATWG URL parsers read as a number: decimal, octal or hex. */
  private static final Pattern NUMERIC_LABEL = Pattern.compile("(0x[0-9a-f]*|\\d+)");

  /** What an operator allows beyond the rules. */
  public record Settings(boolean allowLoopbackHttp, Set<String> allowedHosts) {

    public Settings {
      allowedHosts =
          allowedHosts == null
              ? Set.of()
              : allowedHosts.stream()
                  .map(String::trim)
                  .filter(h -> !h.isEmpty())
                  .map(LlmEndpointPolicy::normalise)
                  .collect(Collectors.toUnmodifiableSet());
    }

    /** The production settings: https to public addresses only. */
    public static Settings strict() {
      return new Settings(false, Set.of());
    }
  }

  /** Resolves a host name to all its addresses; {@link InetAddress#getAllByName} in production. */
  @FunctionalInterface
  public interface Resolver {
    InetAddress[] resolve(String host) throws UnknownHostException;
  }

  /**
   * The answer: allowed, or refused by a named rule with a sentence saying why. The rule names are
   * stable (they appear in problem details and outcomes); the reason names the URL's host, never
   * its user info.
   */
  public record Verdict(boolean allowed, String rule, String reason) {

    static final Verdict ALLOWED = new Verdict(true, null, null);

    static Verdict refused(String rule, String reason) {
      return new Verdict(false, rule, reason);
    }

    /** {@code rule: reason} for a refusal, {@code allowed} otherwise. */
    @Override
    public String toString() {
      return allowed ? "allowed" : rule + ": " + reason;
    }
  }

  private final Settings settings;
  private final Resolver resolver;

  public LlmEndpointPolicy(Settings settings) {
    this(settings, InetAddress::getAllByName);
  }

  public LlmEndpointPolicy(Settings settings, Resolver resolver) {
    this.settings = settings;
    this.resolver = resolver;
  }

  /** The syntactic check: scheme, user info, and the host as written. Makes no DNS query. */
  public Verdict check(String url) {
    Target target;
    try {
      target = Target.parse(url);
    } catch (Refusal r) {
      return r.verdict;
    }
    return checkTarget(target);
  }

  /**
   * The syntactic check, then every address the host resolves to now. A host that does not resolve
   * is refused ({@code unresolvable}): no call could be made to it anyway.
   */
  public Verdict checkResolved(String url) {
    Target target;
    try {
      target = Target.parse(url);
    } catch (Refusal r) {
      return r.verdict;
    }
    Verdict syntactic = checkTarget(target);
    if (!syntactic.allowed() || settings.allowedHosts().contains(target.host)) {
      return syntactic;
    }
    InetAddress[] addresses;
    try {
      addresses = resolver.resolve(target.lookupName());
    } catch (UnknownHostException e) {
      return Verdict.refused("unresolvable", "host " + target.host + " does not resolve");
    }
    if (addresses == null || addresses.length == 0) {
      return Verdict.refused("unresolvable", "host " + target.host + " does not resolve");
    }
    for (InetAddress address : addresses) {
      Verdict verdict = checkAddress(target, address);
      if (!verdict.allowed()) {
        return verdict;
      }
    }
    return Verdict.ALLOWED;
  }

  private Verdict checkTarget(Target target) {
    if (!target.scheme.equals("https") && !target.scheme.equals("http")) {
      return Verdict.refused("scheme", "scheme " + target.scheme + " is not https");
    }
    if (target.userInfo) {
      return Verdict.refused("userinfo", "user info before the host is not allowed");
    }
    if (target.host.isEmpty()) {
      return Verdict.refused("host", "the URL names no host");
    }
    // A host the operator names is trusted as named, over either scheme: a simulator standing in
    // for the provider, or an in-cluster proxy that holds the TLS connection to it.
    if (settings.allowedHosts().contains(target.host)) {
      return Verdict.ALLOWED;
    }
    if (target.scheme.equals("http")) {
      if (!settings.allowLoopbackHttp()) {
        return Verdict.refused("scheme", "plain http is not allowed, use https");
      }
      if (!isLoopbackName(target.host) && !isLoopbackLiteral(target.host)) {
        return Verdict.refused(
            "scheme", "plain http is allowed only to a loopback host, not " + target.host);
      }
    }
    if (METADATA_NAMES.contains(target.host)) {
      return Verdict.refused("metadata", target.host + " is a cloud metadata service");
    }
    if (isLoopbackName(target.host)) {
      return settings.allowLoopbackHttp()
          ? Verdict.ALLOWED
          : Verdict.refused("loopback", target.host + " is this machine");
    }
    if (target.literal != null) {
      return checkAddress(target, target.literal);
    }
    if (target.numericForm) {
      return Verdict.refused(
          "ip-literal-form",
          target.host + " is a numeric address in a non-canonical form; write it as a.b.c.d");
    }
    return Verdict.ALLOWED;
  }

  private Verdict checkAddress(Target target, InetAddress address) {
    AddressRange range = AddressRange.classify(address);
    if (range == null) {
      return Verdict.ALLOWED;
    }
    if (range == AddressRange.LOOPBACK && settings.allowLoopbackHttp()) {
      return Verdict.ALLOWED;
    }
    if (target.scheme.equals("http")) {
      return Verdict.refused(
          "scheme", "plain http is allowed only to a loopback host, not " + target.host);
    }
    String shown = address.getHostAddress();
    String of = target.literal != null ? shown : target.host + " (" + shown + ")";
    return Verdict.refused(range.rule, of + " is " + range.description);
  }

  private boolean isLoopbackLiteral(String host) {
    InetAddress literal = Target.literal(host);
    return literal != null && AddressRange.classify(literal) == AddressRange.LOOPBACK;
  }

  private static boolean isLoopbackName(String host) {
    return LOOPBACK_NAMES.contains(host) || host.endsWith(".localhost");
  }

  static String normalise(String host) {
    String h = host.toLowerCase(Locale.ROOT);
    return h.endsWith(".") ? h.substring(0, h.length() - 1) : h;
  }

  /** Thrown inside parsing only, to return a refusal from deep in it. */
  private static final class Refusal extends Exception {
    private final Verdict verdict;

    Refusal(String rule, String reason) {
      super(reason, null, false, false);
      this.verdict = Verdict.refused(rule, reason);
    }
  }

  /** The parts of a URL the rules look at. */
  private static final class Target {
    final String scheme;
    final boolean userInfo;
    final String host;
    final InetAddress literal;
    final boolean numericForm;

    private Target(String scheme, boolean userInfo, String host) {
      this.scheme = scheme;
      this.userInfo = userInfo;
      this.host = host;
      this.literal = literal(host);
      this.numericForm = literal == null && isNumericForm(host);
    }

    static Target parse(String url) throws Refusal {
      if (url == null || url.isBlank()) {
        throw new Refusal("malformed", "no URL");
      }
      URI uri;
      try {
        uri = new URI(url.trim());
      } catch (URISyntaxException e) {
        throw new Refusal("malformed", "not a valid URL: " + e.getReason());
      }
      if (uri.getScheme() == null) {
        throw new Refusal("scheme", "the URL has no scheme; use https");
      }
      String scheme = uri.getScheme().toLowerCase(Locale.ROOT);
      if (uri.isOpaque() || uri.getRawAuthority() == null) {
        // file:, gopher:/// without a host, mailto: … none is an HTTP endpoint.
        return new Target(scheme, false, "");
      }
      String authority = uri.getRawAuthority();
      boolean userInfo = uri.getRawUserInfo() != null || authority.contains("@");
      String host = uri.getHost();
      if (host == null) {
        // Not a server authority java.net.URI accepts (e.g. 0x7f.1, a_b.example): take the host
        // from the raw authority so the rules can name it; no HTTP client would reach it as-is.
        String hostAndPort = authority.substring(authority.lastIndexOf('@') + 1);
        int colon = hostAndPort.lastIndexOf(':');
        host =
            colon >= 0 && !hostAndPort.endsWith("]")
                ? hostAndPort.substring(0, colon)
                : hostAndPort;
        Target target = new Target(scheme, userInfo, normalise(host));
        if (!target.numericForm && !userInfo && target.literal == null) {
          throw new Refusal("host", "host " + target.host + " is not a valid host name");
        }
        return target;
      }
      return new Target(scheme, userInfo, normalise(host));
    }

    /** The name to resolve: an IPv6 literal without its brackets. */
    String lookupName() {
      return host.startsWith("[") ? host.substring(1, host.length() - 1) : host;
    }

    /** The address a canonical IPv4 or a bracketed IPv6 literal stands for; null for a name. */
    static InetAddress literal(String host) {
      try {
        if (host.startsWith("[") && host.endsWith("]")) {
          String inner = host.substring(1, host.length() - 1);
          int zone = inner.indexOf('%');
          // Only hex digits, colons and dots reach the parser, so it never asks DNS.
          String bare = zone >= 0 ? inner.substring(0, zone) : inner;
          if (bare.contains(":") && bare.matches("[0-9a-f:.]+")) {
            return InetAddress.getByName(bare);
          }
          return null;
        }
        if (CANONICAL_IPV4.matcher(host).matches()) {
          return InetAddress.getByName(host);
        }
      } catch (UnknownHostException e) {
        return null;
      }
      return null;
    }

    /**
     * A host whose last label is a number (decimal, octal, hex) is read as an IPv4 address by URL
     * parsers and resolvers ({@code 2130706433}, {@code 0x7f.1}, {@code 0177.0.0.1}).
     */
    private static boolean isNumericForm(String host) {
      String[] labels = host.split("\\.");
      return labels.length > 0 && NUMERIC_LABEL.matcher(labels[labels.length - 1]).matches();
    }
  }
}
