/**
 * @module The Host header check that stops DNS rebinding: a web page whose name resolves to this
 * machine sends its own name as Host, so only the names the service was started for are served.
 */
import os from 'node:os';
import net from 'node:net';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { CustomVisionError } from '../errors';
import { isWildcardAddress, plainAddress } from '../net/addresses';

const LOOPBACK_NAMES = ['localhost', '127.0.0.1', '::1'];

/**
 * A Host header's name alone: lower case, without port, brackets or the root's trailing dot.
 * `[v6]:port`, `[v6]`, `name:port` and `v4:port` lose their port; a bare IPv6 address (as a
 * bind address or --public-host is written) stays whole, its last group being no port.
 */
export function hostName(header: string): string {
  const host = header.trim().toLowerCase();
  const bracketed = /^\[([^\]]+)\](?::\d*)?$/.exec(host);
  if (bracketed) return plainAddress(bracketed[1]);
  if (net.isIPv6(host)) return plainAddress(host);
  return host.replace(/:\d*$/, '').replace(/\.$/, '');
}

/**
 * The names to answer to: loopback names, the configured public names, and the bound address
 * when it is a specific one. Bound to every interface, the machine's own addresses count as
 * bound ones: an IP address typed as the Host cannot be rebound by DNS.
 */
export function acceptedHosts({ bindAddress, publicHosts }: { bindAddress: string; publicHosts: readonly string[] }): string[] {
  const bound = isWildcardAddress(bindAddress)
    ? Object.values(os.networkInterfaces()).flatMap((addresses) => (addresses ?? []).map((a) => plainAddress(a.address)))
    : [hostName(bindAddress)];
  return [...new Set([...LOOPBACK_NAMES, ...publicHosts.map(hostName), ...bound])];
}

const shown = (name: string) => (net.isIPv6(name) ? `[${name}]` : name);

/** An onRequest hook answering 421 Misdirected Request to any other Host, before keys are looked at. */
export function checkHost(accepted: readonly string[]) {
  const names = new Set(accepted);
  return async (request: FastifyRequest, _reply: FastifyReply): Promise<void> => {
    const header = request.headers.host ?? '';
    if (names.has(hostName(header))) return;
    throw new CustomVisionError(
      421,
      'MisdirectedRequest',
      `This service answers to the host names ${accepted.map(shown).join(', ')} (any port), not "${header.slice(0, 100)}". ` +
        'To reach it under another name, start it with --public-host <name> (or CVLAB_PUBLIC_HOST=<name>; several separated by commas).',
    );
  };
}
