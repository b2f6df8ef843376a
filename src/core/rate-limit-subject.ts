import ipaddr from 'ipaddr.js';

// RFC 6177: an IPv6 end site is given a /64 at least (SLAAC and privacy addresses pick freely
// inside it), so a /64 is the smallest unit one client can be told apart by.
const IPV6_CLIENT_PREFIX_LENGTH = 64;

/**
 * The key an IP rate limit counts a client under: the IPv4 address, or the /64 an IPv6 address
 * lies in. Counting single IPv6 addresses would give one client 2^64 budgets. An IPv4-mapped IPv6
 * address (a dual-stack socket's view of an IPv4 client) counts as the IPv4 address.
 */
export function rateLimitSubject(ip: string): string {
  if (!ipaddr.isValid(ip)) return ip;
  const address = ipaddr.process(ip);
  if (address.kind() === 'ipv4') return address.toString();
  const network = ipaddr.IPv6.networkAddressFromCIDR(`${address.toString()}/${IPV6_CLIENT_PREFIX_LENGTH}`);
  return `${network.toString()}/${IPV6_CLIENT_PREFIX_LENGTH}`;
}
