/** @module Which IP addresses URL fetching may connect to: ordinary unicast only, IPv4 addresses embedded in IPv6 judged as IPv4. */
import ipaddr from 'ipaddr.js';

type Bytes = number[];

/** 96-bit prefixes whose last 32 bits are an IPv4 address: IPv4-compatible, IPv4-mapped, IPv4-translated (RFC 6145), NAT64 (RFC 6052). */
const LAST_32_BITS_EMBED_IPV4 = ['::/96', '::ffff:0:0/96', '::ffff:0:0:0/96', '64:ff9b::/96'].map((cidr) => ipaddr.IPv6.parseCIDR(cidr));
const SIX_TO_FOUR = ipaddr.IPv6.parseCIDR('2002::/16');
const TEREDO = ipaddr.IPv6.parseCIDR('2001::/32');
/** RFC 8215's local-use NAT64 prefix: where it puts the IPv4 address depends on the operator's prefix length, so it is refused whole. */
const LOCAL_NAT64 = ipaddr.IPv6.parseCIDR('64:ff9b:1::/48');

const ipv4At = (bytes: Bytes, offset: number) => new ipaddr.IPv4(bytes.slice(offset, offset + 4));

/**
 * The IPv4 addresses an IPv6 address carries and that a gateway would forward to: the last 32
 * bits of the 96-bit forms, bits 16..48 of 6to4, and both ends of Teredo (its server in bits
 * 32..64, its client XOR-ed into the last 32 bits).
 */
export function embeddedIPv4(address: ipaddr.IPv6): ipaddr.IPv4[] {
  const bytes = address.toByteArray();
  if (LAST_32_BITS_EMBED_IPV4.some((range) => address.match(range))) return [ipv4At(bytes, 12)];
  if (address.match(SIX_TO_FOUR)) return [ipv4At(bytes, 2)];
  if (address.match(TEREDO)) return [ipv4At(bytes, 4), ipv4At(bytes.map((b) => b ^ 0xff), 12)];
  return [];
}

/**
 * True unless the address is ordinary unicast: loopback, private, link-local, CGNAT, multicast,
 * unspecified, broadcast, documentation and other reserved ranges are refused, in IPv4 and IPv6,
 * and an IPv6 address embedding an IPv4 address is refused when that IPv4 address is. Text that
 * is not an IP address is refused too.
 */
export function isRefusedAddress(text: string): boolean {
  let address: ipaddr.IPv4 | ipaddr.IPv6;
  try {
    address = ipaddr.parse(text.replace(/^\[|\]$/g, ''));
  } catch {
    return true;
  }
  if (address.kind() === 'ipv4') return address.range() !== 'unicast';
  const v6 = address as ipaddr.IPv6;
  if (v6.match(LOCAL_NAT64)) return true;
  const embedded = embeddedIPv4(v6);
  if (embedded.length) return embedded.some((v4) => v4.range() !== 'unicast');
  return v6.range() !== 'unicast';
}
