/** @module Training API: the smart labeler, an iteration's suggested tags for untagged images. */
import type { FastifyInstance } from 'fastify';
import { badRequest } from '../../errors';
import { querySuggestedImageCount, querySuggestedImages, smartLabeler, SORT_BY, suggestTagsAndRegions, type SortBy, type TagFilter } from '../../projects/suggestions';
import type { AppContext } from '../app-context';
import * as p from '../params';
import { optionalObjectBody, projectIdOf, type Req } from './request';

/** The spec's limit of images per SuggestTagsAndRegions call. */
const SUGGEST_BATCH = 64;
/** Results per QuerySuggestedImages page: 50 unless maxCount says otherwise, 256 at most (as image listings). */
const PAGE = { fallback: 50, max: 256 };

const iterationIdOf = (req: Req) => p.uuid(p.requiredString(req.query, 'iterationId'), 'iterationId');

function tagFilterOf(body: Record<string, unknown>): TagFilter {
  const tagIds = p.uuidArrayField(body.tagIds, 'tagIds') ?? [];
  const { threshold } = body;
  if (typeof threshold !== 'number' || !(threshold >= 0 && threshold <= 1)) {
    throw badRequest('BadRequest', `threshold must be a number from 0 to 1, got ${JSON.stringify(threshold ?? null)}.`);
  }
  return { tagIds, threshold };
}

function maxCountOf(body: Record<string, unknown>): number {
  const value = body.maxCount ?? 0;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > PAGE.max) {
    throw badRequest('BadRequest', `maxCount must be an integer from 1 to ${PAGE.max}, got ${JSON.stringify(value)}.`);
  }
  return value || PAGE.fallback;
}

function sortByOf(body: Record<string, unknown>): SortBy | undefined {
  const value = p.optionalStringField(body, 'sortBy');
  if (!value) return undefined;
  const match = SORT_BY.find((s) => s.toLowerCase() === value.toLowerCase());
  if (!match) throw badRequest('BadRequest', `sortBy must be one of ${SORT_BY.join(', ')}, got "${value}".`);
  return match;
}

export function registerSuggestionRoutes(app: FastifyInstance, { store, predictor, links }: AppContext): void {
  const labeler = smartLabeler(store, predictor);
  app.post('/projects/:projectId/tagsandregions/suggestions', async (req: Req) =>
    suggestTagsAndRegions(labeler, req.store, projectIdOf(req), iterationIdOf(req), p.uuidList(req.query, 'imageIds', SUGGEST_BATCH) ?? []),
  );
  app.post('/projects/:projectId/images/suggested', async (req: Req) => {
    const body = optionalObjectBody(req.body, 'a SuggestedTagAndRegionQueryToken');
    const query = {
      ...tagFilterOf(body),
      session: p.optionalStringField(body, 'session') || undefined,
      continuation: p.optionalStringField(body, 'continuation') || undefined,
      maxCount: maxCountOf(body),
      sortBy: sortByOf(body),
    };
    const projectId = projectIdOf(req);
    return querySuggestedImages(labeler, req.store, projectId, iterationIdOf(req), query, links.forProject(req, projectId));
  });
  app.post('/projects/:projectId/images/suggested/count', async (req: Req) =>
    querySuggestedImageCount(labeler, req.store, projectIdOf(req), iterationIdOf(req), tagFilterOf(optionalObjectBody(req.body, 'a TagFilter'))),
  );
}
