/** @module The address students reach the room's service at: the public name given, else the address it listens on, else this machine's network address. */
import net from 'node:net';
import os from 'node:os';
import { isWildcardAddress, plainAddress } from '../../server/net/addresses';

/** This machine's first IPv4 address on a network (not loopback), if it has one. */
export function networkAddress(): string | undefined {
  const addresses = Object.values(os.networkInterfaces()).flatMap((list) => list ?? []);
  return addresses.find((a) => a.family === 'IPv4' && !a.internal)?.address;
}

/** `http://<host>:<port>` as students type it; a wildcard bind is shown as the machine's network address. */
export function studentEndpoint(options: { host: string; port: number; publicHost?: string }): string {
  let host = options.publicHost ?? (isWildcardAddress(options.host) ? (networkAddress() ?? '127.0.0.1') : plainAddress(options.host));
  if (net.isIPv6(host)) host = `[${host}]`;
  return `http://${host}:${options.port}`;
}
