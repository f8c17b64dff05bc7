/** @module The addresses the service binds to and is reached at, read one way everywhere: wildcards, loopback, IPv6 brackets. */
import net from 'node:net';
import ipaddr from 'ipaddr.js';

/** The bind addresses that listen on every interface: IPv4's and IPv6's unspecified address, and '' (Node's default). */
export const WILDCARD_BIND_ADDRESSES = ['0.0.0.0', '::', ''] as const;

/**
 * An address as the service compares it: trimmed, lower case, without the brackets of an IPv6
 * literal in a URL, an IPv6 address in its one short form (`0:0:0:0:0:0:0:1` is `::1`).
 */
export function plainAddress(text: string): string {
  const address = text.trim().toLowerCase().replace(/^\[(.*)\]$/, '$1');
  return net.isIPv6(address) ? shortIPv6(address) : address;
}

function shortIPv6(address: string): string {
  try {
    return ipaddr.IPv6.parse(address).toString();
  } catch {
    return address;
  }
}

/** True when binding `host` listens on every interface, however the unspecified address is written (`::`, `[::]`, `0:0::0`, `0.0.0.0`). */
export function isWildcardAddress(host: string): boolean {
  return (WILDCARD_BIND_ADDRESSES as readonly string[]).includes(plainAddress(host));
}

const LOOPBACK = new net.BlockList();
LOOPBACK.addSubnet('127.0.0.0', 8, 'ipv4');
LOOPBACK.addAddress('::1', 'ipv6');
// A BlockList judges an IPv4-mapped IPv6 address (::ffff:127.0.0.1) by its IPv4 rules.

/** 127.0.0.0/8, ::1 (also written [::1] or as ::ffff:127.x.y.z) and `localhost`: only this machine reaches them. */
export function isLoopbackHost(host: string): boolean {
  const address = plainAddress(host);
  if (address === 'localhost') return true;
  if (net.isIPv4(address)) return LOOPBACK.check(address, 'ipv4');
  if (net.isIPv6(address)) return LOOPBACK.check(address, 'ipv6');
  return false;
}
