/**
 * @module Key checks: the Training-Key or Prediction-Key header names the resource a request acts
 * for. The request then carries that resource (`request.resource`) and the storage as it sees it
 * (`request.store`), through which every route reaches projects: isolation holds in that one place.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { unauthorized } from '../errors';
import type { ServiceStore, Store } from '../projects/context';
import type { ConfiguredResource, Resource } from '../resources/resource';

declare module 'fastify' {
  interface FastifyRequest {
    /** The resource whose key the request carries; set by the key check of the Training and Prediction APIs only. */
    resource: Resource;
    /** The storage as `resource` sees it (its projects only); set with it. */
    store: Store;
  }
}

export type KeyHeader = 'Training-Key' | 'Prediction-Key';

/** Digests of equal length, so that comparing them takes the same time whatever the keys' lengths. */
const digest = (key: string) => createHash('sha256').update(key).digest();

/** The keys of one header, each with the resource it acts for. */
export class KeyRing {
  private readonly entries: { digest: Buffer; resource: Resource }[] = [];

  constructor(resources: readonly ConfiguredResource[], header: KeyHeader) {
    for (const { trainingKeys, predictionKeys, ...resource } of resources) {
      for (const key of header === 'Training-Key' ? trainingKeys : predictionKeys) this.entries.push({ digest: digest(key), resource });
    }
  }

  /** The resource of the key, or undefined; every key is compared, so the time says nothing of which matched. */
  resourceOf(key: string): Resource | undefined {
    const given = digest(key);
    let found: Resource | undefined;
    for (const entry of this.entries) if (timingSafeEqual(given, entry.digest)) found = entry.resource;
    return found;
  }
}

/** Declares `request.resource` and `request.store`, which the key checks of the API scopes set. */
export function decorateResource(app: FastifyInstance): void {
  app.decorateRequest('resource', null as unknown as Resource);
  app.decorateRequest('store', null as unknown as Store);
}

/** A request-level guard: the named header must carry a key of the ring; the request then acts for its resource. */
export function requireKey(header: KeyHeader, keys: KeyRing, store: ServiceStore) {
  return async (request: FastifyRequest) => {
    const value = request.headers[header.toLowerCase()];
    const given = Array.isArray(value) ? value[0] : value;
    if (!given) throw unauthorized(`Access denied: the ${header} header is missing. Send your ${header.replace('-', ' ').toLowerCase()} in the ${header} header.`);
    const resource = keys.resourceOf(given);
    if (!resource) throw unauthorized(`Access denied due to an invalid ${header}. Make sure to provide a valid key for an active subscription.`);
    request.resource = resource;
    request.store = store.forResource(resource);
  };
}
