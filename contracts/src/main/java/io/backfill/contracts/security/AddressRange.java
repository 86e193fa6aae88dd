package io.backfill.contracts.security;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.Arrays;

/** Address ranges refused as an LLM endpoint, with the rule that names them. */
enum AddressRange {
  LOOPBACK("loopback", "a loopback address"),
  PRIVATE("private", "a private network address"),
  LINK_LOCAL("link-local", "a link-local address"),
  MULTICAST("multicast", "a multicast address"),
  UNSPECIFIED("unspecified", "the unspecified address"),
  CGNAT("cgnat", "a carrier-grade NAT address (100.64.0.0/10)"),
  RESERVED("reserved", "a reserved address"),
  METADATA("metadata", "a cloud metadata address");

  final String rule;
  final String description;

  AddressRange(String rule, String description) {
    this.rule = rule;
    this.description = description;
  }

  /** The refused range an address is in, or null for a public address. */
  static AddressRange classify(InetAddress address) {
    byte[] b = address.getAddress();
    if (address instanceof Inet4Address) {
      return classifyV4(b);
    }
    if (address instanceof Inet6Address) {
      return classifyV6(b);
    }
    return RESERVED;
  }

  private static AddressRange classifyV4(byte[] b) {
    int a0 = b[0] & 0xff;
    int a1 = b[1] & 0xff;
    if (a0 == 169 && a1 == 254 && (b[2] & 0xff) == 169 && (b[3] & 0xff) == 254) {
      return METADATA;
    }
    if (a0 == 0) {
      return UNSPECIFIED;
    }
    if (a0 == 127) {
      return LOOPBACK;
    }
    if (a0 == 10 || (a0 == 172 && (a1 & 0xf0) == 16) || (a0 == 192 && a1 == 168)) {
      return PRIVATE;
    }
    if (a0 == 169 && a1 == 254) {
      return LINK_LOCAL;
    }
    if (a0 == 100 && (a1 & 0xc0) == 64) {
      return CGNAT;
    }
    if ((a0 & 0xf0) == 224) {
      return MULTICAST;
    }
    // 240/4 (and the broadcast address in it), 192.0.0/24 (protocol assignments), 198.18/15
    // (benchmarking): nothing an LLM provider answers on.
    if ((a0 & 0xf0) == 240
        || (a0 == 192 && a1 == 0 && (b[2] & 0xff) == 0)
        || (a0 == 198 && (a1 & 0xfe) == 18)) {
      return RESERVED;
    }
    return null;
  }

  private static AddressRange classifyV6(byte[] b) {
    if (Arrays.equals(b, new byte[16])) {
      return UNSPECIFIED;
    }
    if (isZero(b, 0, 15) && b[15] == 1) {
      return LOOPBACK;
    }
    // fd00:ec2::254, the EC2 metadata service over IPv6.
    if (b[0] == (byte) 0xfd
        && b[1] == 0
        && b[2] == (byte) 0x0e
        && b[3] == (byte) 0xc2
        && isZero(b, 4, 14)
        && b[14] == 0x02
        && b[15] == 0x54) {
      return METADATA;
    }
    // IPv4-mapped (::ffff:0:0/96), IPv4-compatible (::/96) and NAT64 (64:ff9b::/96) addresses
    // reach the embedded IPv4 address: they are what it is.
    boolean mapped = isZero(b, 0, 10) && b[10] == (byte) 0xff && b[11] == (byte) 0xff;
    boolean compatible = isZero(b, 0, 12);
    boolean nat64 =
        b[0] == 0 && b[1] == 0x64 && b[2] == (byte) 0xff && b[3] == (byte) 0x9b && isZero(b, 4, 12);
    if (mapped || compatible || nat64) {
      return classifyV4(Arrays.copyOfRange(b, 12, 16));
    }
    // 6to4 (2002::/16) embeds an IPv4 address in bits 16-48.
    if (b[0] == 0x20 && b[1] == 0x02) {
      AddressRange embedded = classifyV4(Arrays.copyOfRange(b, 2, 6));
      if (embedded != null) {
        return embedded;
      }
    }
    int first = b[0] & 0xff;
    if ((first & 0xfe) == 0xfc) {
      return PRIVATE;
    }
    if (first == 0xfe && (b[1] & 0xc0) == 0x80) {
      return LINK_LOCAL;
    }
    // fec0::/10, the deprecated site-local range: private in effect.
    if (first == 0xfe && (b[1] & 0xc0) == 0xc0) {
      return PRIVATE;
    }
    if (first == 0xff) {
      return MULTICAST;
    }
    return null;
  }

  private static boolean isZero(byte[] b, int from, int to) {
    for (int i = from; i < to; i++) {
      if (b[i] != 0) {
        return false;
      }
    }
    return true;
  }
}
