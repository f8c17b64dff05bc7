/** @module Key checks: the Training-Key and Prediction-Key headers, compared in constant time. */
import { timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { unauthorized } from '../errors';

function keyMatches(given: string, keys: string[]): boolean {
  const a = Buffer.from(given);
  return keys.some((k) => {
    const b = Buffer.from(k);
    return a.length === b.length && timingSafeEqual(a, b);
  });
}

/** A request-level guard: the named header must carry one of the keys. */
export function requireKey(header: string, keys: string[]) {
  return async (request: FastifyRequest) => {
    const value = request.headers[header.toLowerCase()];
    const given = Array.isArray(value) ? value[0] : value;
    if (!given) throw unauthorized(`Access denied: the ${header} header is missing. Send your ${header.replace('-', ' ').toLowerCase()} in the ${header} header.`);
    if (!keyMatches(given, keys)) throw unauthorized(`Access denied due to an invalid ${header}. Make sure to provide a valid key for an active subscription.`);
  };
}
