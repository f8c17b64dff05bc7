/** @module Stored predictions (quick tests and the storing prediction routes): QueryPredictions and DeletePrediction. */
import { createHash } from 'node:crypto';
import { badRequest } from '../errors';
import { imageUris, newId, type ImageLinks, type Store } from './context';
import { requireProject } from './projects';

/** A PredictionQueryToken as the route read it: types checked, rules not yet. */
export interface PredictionQuery {
  session?: string;
  continuation?: string;
  maxCount?: number;
  orderBy?: string;
  tags?: { id: string; minThreshold?: number; maxThreshold?: number }[];
  iterationId?: string;
  startTime?: string;
  endTime?: string;
  application?: string;
}

const DEFAULT_COUNT = 50;
const MAX_COUNT = 256;
/** "Limited to combining 2 tags", as the spec says. */
const MAX_TAGS = 2;

const invalid = (message: string) => badRequest('BadRequestPredictionInvalidQueryParameters', message);

const ISO_8601 = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

function isoTime(value: string | undefined, name: string): string | undefined {
  if (!value) return undefined;
  // ISO 8601 only: Date would also take "5" or "May 1" and guess.
  const time = ISO_8601.test(value) ? new Date(value) : new Date(NaN);
  if (Number.isNaN(time.getTime())) throw invalid(`${name} "${value}" is not a date and time (ISO 8601).`);
  return time.toISOString(); // the form predictions' created times are stored in, so they compare as strings
}

function orderOf(orderBy: string | undefined): 'Newest' | 'Oldest' {
  const order = (orderBy || 'Newest').toLowerCase();
  if (order === 'newest') return 'Newest';
  if (order === 'oldest') return 'Oldest';
  if (order === 'suggested') {
    throw badRequest('BadRequestNotSupported', 'orderBy Suggested (ranking by how unsure the model is) is not supported by the local service: use Newest or Oldest.');
  }
  throw invalid(`orderBy must be Newest or Oldest, got "${orderBy}".`);
}

function tagsOf(tags: PredictionQuery['tags'] = []) {
  if (tags.length > MAX_TAGS) throw badRequest('BadRequestPredictionTagsExceededCount', `A query combines at most ${MAX_TAGS} tags, got ${tags.length}.`);
  return tags.map(({ id, minThreshold = 0, maxThreshold = 1 }) => {
    if (!(minThreshold >= 0 && minThreshold <= maxThreshold && maxThreshold <= 1)) {
      throw invalid(`Tag ${id}: thresholds must satisfy 0 <= minThreshold <= maxThreshold <= 1, got ${minThreshold} and ${maxThreshold}.`);
    }
    return { id, minThreshold, maxThreshold };
  });
}

/** The query's rules checked, in the form the answer's token echoes. */
function normalise(query: PredictionQuery) {
  const maxCount = query.maxCount || DEFAULT_COUNT;
  if (maxCount > MAX_COUNT) throw badRequest('BadRequestPredictionResultsExceededCount', `maxCount is at most ${MAX_COUNT}, got ${maxCount}.`);
  if (maxCount < 0) throw invalid(`maxCount must be positive, got ${maxCount}.`);
  const startTime = isoTime(query.startTime, 'startTime');
  const endTime = isoTime(query.endTime, 'endTime');
  if (startTime && endTime && startTime > endTime) throw invalid('startTime is after endTime.');
  const filter = { orderBy: orderOf(query.orderBy), tags: tagsOf(query.tags), iterationId: query.iterationId, startTime, endTime, application: query.application || undefined };
  return { maxCount, filter };
}

type Filter = ReturnType<typeof normalise>['filter'];

/** Ties a continuation to its query: resuming one query's position in another would skip or repeat results. */
const fingerprint = (filter: Filter) => createHash('sha256').update(JSON.stringify(filter)).digest('base64url').slice(0, 16);

interface Position {
  session: string;
  query: string;
  created: string;
  id: string;
}

function readContinuation(token: string, session: string | undefined, filter: Filter): Position {
  let position: Position;
  try {
    position = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as Position;
  } catch {
    throw invalid('The continuation token is not one this service issued.');
  }
  if (typeof position?.created !== 'string' || typeof position.id !== 'string' || typeof position.session !== 'string') {
    throw invalid('The continuation token is not one this service issued.');
  }
  if (position.query !== fingerprint(filter)) throw invalid('The continuation token belongs to another query: send the token of the last answer unchanged.');
  if (session && session !== position.session) throw invalid(`The continuation token belongs to session ${position.session}, not ${session}.`);
  return position;
}

/**
 * One page of the spec's StoredImagePrediction list with the token for the next: the same query
 * with `continuation` set while more results remain ('' after the last page). Continuations are
 * positions (time and id of the page's last result), so pages stay exact while predictions are
 * added or deleted in between.
 */
export function queryPredictions(store: Store, projectId: string, query: PredictionQuery, links: ImageLinks) {
  const project = requireProject(store, projectId);
  const { maxCount, filter } = normalise(query);
  const after = query.continuation ? readContinuation(query.continuation, query.session, filter) : undefined;
  const session = query.session || after?.session || newId();
  const found = store.predictions.query(project.id, {
    ...filter,
    tags: filter.tags.map((t) => ({ id: t.id, min: t.minThreshold, max: t.maxThreshold })),
    oldestFirst: filter.orderBy === 'Oldest',
    after,
    limit: maxCount + 1,
  });
  const page = found.slice(0, maxCount);
  const last = page[page.length - 1];
  const next: Position | undefined = found.length > maxCount ? { session, query: fingerprint(filter), created: last.created, id: last.id } : undefined;
  return {
    token: { ...filter, session, maxCount, continuation: next ? Buffer.from(JSON.stringify(next)).toString('base64url') : '' },
    results: page.map((r) => ({
      ...imageUris(links, r.hash),
      domain: project.domainId,
      id: r.id,
      project: project.id,
      iteration: r.iterationId,
      created: r.created,
      predictions: r.predictions,
    })),
  };
}

export function deletePredictions(store: Store, projectId: string, ids: string[]): void {
  const project = requireProject(store, projectId);
  if (ids.length === 0) throw badRequest('BadRequestPredictionIdsMissing', 'Give the prediction ids to delete (ids).');
  store.predictions.delete(project.id, ids);
}
