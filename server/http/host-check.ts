/**
 * @module The Host header check that stops DNS rebinding: a web page whose name resolves to this
 * machine sends its own name as Host, so only the names the service was started for are served.
 */
import os from 'node:os';
import net from 'node:net';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { CustomVisionError } from '../errors';

const LOOPBACK_NAMES = ['localhost', '127.0.0.1', '::1'];
const WILDCARDS = ['0.0.0.0', '::', ''];

/** A Host header's name alone: lower case, without port, brackets or the root's trailing dot. */
export function hostName(header: string): string {
  const host = header.trim().toLowerCase();
  const name = host.startsWith('[') ? host.slice(1, host.indexOf(']')) : host.replace(/:\d*$/, '');
  return name.replace(/\.$/, '');
}

/**
 * The names to answer to: loopback names, the configured public names, and the bound address
 * when it is a specific one. Bound to every interface, the machine's own addresses count as
 * bound ones: an IP address typed as the Host cannot be rebound by DNS.
 */
export function acceptedHosts({ bindAddress, publicHosts }: { bindAddress: string; publicHosts: readonly string[] }): string[] {
  const bound = WILDCARDS.includes(hostName(bindAddress))
    ? Object.values(os.networkInterfaces()).flatMap((addresses) => (addresses ?? []).map((a) => a.address.toLowerCase()))
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
