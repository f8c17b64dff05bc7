/** @module What every Training API route reads the same way: path ids, paging, the `$filter` on metadata. */
import type { FastifyRequest } from 'fastify';
import { parseMetadataFilter, type MetadataCondition } from '../../projects/metadata-filter';
import * as p from '../params';

export type Req = FastifyRequest<{
  Params: { projectId: string; tagId: string; iterationId: string; domainId: string };
  Querystring: Record<string, string>;
}>;

export const projectIdOf = (req: Req) => p.uuid(req.params.projectId, 'projectId');
export const iterationIdOf = (req: Req) => p.uuid(req.params.iterationId, 'iterationId');
export const tagIdOf = (req: Req) => p.uuid(req.params.tagId, 'tagId');

const ORDER_BY = ['Newest', 'Oldest'] as const;

/** `orderBy`, `take` (at most 256, 50 by default) and `skip`, as image listings and image performances take them. */
export function pageOf(req: Req) {
  return {
    orderBy: p.oneOf(req.query, 'orderBy', ORDER_BY, 'Newest'),
    take: p.integer(req.query, 'take', { min: 0, max: 256, fallback: 50 }),
    skip: p.integer(req.query, 'skip', { min: 0, max: Number.MAX_SAFE_INTEGER, fallback: 0 }),
  };
}

/** `$filter` on image metadata (eq, ne, and, or, parentheses); none when absent or blank. */
export function metadataFilter(filter: string | undefined): MetadataCondition | undefined {
  return filter?.trim() ? parseMetadataFilter(filter) : undefined;
}

/** A body that may be absent (the SDK sends none for optional parameters) as an object. */
export function optionalObjectBody(body: unknown, what: string): Record<string, unknown> {
  return body === undefined || body === null || body === '' ? {} : p.objectBody(body, what);
}
