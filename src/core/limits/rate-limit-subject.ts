import ipaddr from 'ipaddr.js';

// Forms that carry an IPv4 client inside an IPv6 address: a dual-stack socket's view of an IPv4
// client (::ffff:a.b.c.d), and the stateless translators' (RFC 6052 64:ff9b::/96, RFC 6145
// ::ffff:0:a.b.c.d). Counted by the IPv6 prefix, every IPv4 client behind one would share a budget.
const EMBEDDED_IPV4_RANGES = new Set(['ipv4Mapped', 'rfc6052', 'rfc6145']);
// Some proxies write the client's port into X-Forwarded-For: 1.2.3.4:5678 or [2001:db8::1]:5678.
const WITH_PORT = /^(?:(\d{1,3}(?:\.\d{1,3}){3})|\[([0-9a-fA-F:.]+)\]):\d{1,5}$/;

/**
 * The key an IP rate limit counts a client under: its IPv4 address, or the `ipv6PrefixLength`-bit
 * network its IPv6 address lies in. An IPv6 end site is given a /64 at least (RFC 6177), and SLAAC
 * and privacy addresses pick freely inside it, so counting single IPv6 addresses would give one
 * client 2^64 budgets. A port, and an IPv4 address carried inside IPv6, are taken off first.
 */
export function rateLimitSubject(ip: string, ipv6PrefixLength: number): string {
  const withoutPort = WITH_PORT.exec(ip);
  const bare = withoutPort ? (withoutPort[1] ?? withoutPort[2]!) : ip;
  if (!ipaddr.isValid(bare)) return ip;
  const address = ipaddr.parse(bare);
  if (address.kind() === 'ipv4') return address.toString();
  const ipv6 = address as ipaddr.IPv6;
  if (EMBEDDED_IPV4_RANGES.has(ipv6.range())) return ipaddr.fromByteArray(ipv6.toByteArray().slice(12)).toString();
  return `${ipaddr.IPv6.networkAddressFromCIDR(`${ipv6.toString()}/${ipv6PrefixLength}`).toString()}/${ipv6PrefixLength}`;
}
