/**
 * @module The smart labeler (SuggestTagsAndRegions, QuerySuggestedImages, QuerySuggestedImageCount):
 * an iteration's predictions for a project's images, computed on their stored bytes, to filter
 * untagged images by the tags they would likely get. Classification only, so no regions.
 */
import { badRequest } from '../errors';
import type { ClassificationType, ImageRecord, IterationRecord, TagScore } from '../store/repositories';
import { imageUris, type ImageLinks, type SharedStore, type Store } from './context';
import { predictingModel } from './heads';
import { iterationRow } from './iterations';
import type { Predictor } from './predictor';
import { SuggestionCache, type Suggestion } from './suggestion-cache';
import { continuationOffset, continuationToken, SuggestionSessions } from './suggestion-sessions';

export const SORT_BY = ['UncertaintyAscending', 'UncertaintyDescending'] as const;
export type SortBy = (typeof SORT_BY)[number];

export interface TagFilter {
  tagIds: string[];
  threshold: number;
}

export interface SuggestedImagesQuery extends TagFilter {
  session?: string;
  continuation?: string;
  maxCount: number;
  /** Without it, newest images first, as GetUntaggedImages lists them. */
  sortBy?: SortBy;
}

/** The cache and the paging sessions, one pair per service (routes of both API versions share it). */
export class SmartLabeler {
  readonly cache: SuggestionCache;
  readonly sessions = new SuggestionSessions();
  constructor(readonly store: SharedStore, predictor: Predictor) {
    this.cache = new SuggestionCache(store, predictor);
  }
}

const labelers = new WeakMap<Predictor, SmartLabeler>();

export function smartLabeler(store: SharedStore, predictor: Predictor): SmartLabeler {
  let labeler = labelers.get(predictor);
  if (!labeler) labelers.set(predictor, (labeler = new SmartLabeler(store, predictor)));
  return labeler;
}

/** Uncertainty (entropy, in nats) of an image's predictions: one distribution for Multiclass, independent tags for Multilabel. */
export function predictionUncertainty(predictions: readonly TagScore[], type: ClassificationType): number {
  const h = (p: number) => (p > 0 ? -p * Math.log(p) : 0);
  return predictions.reduce((sum, { probability: p }) => sum + h(p) + (type === 'Multilabel' ? h(1 - p) : 0), 0);
}

/** The iteration to suggest with: it must exist (404) and be able to predict (400, as quick tests). */
function suggestingIteration(store: Store, projectId: string, iterationId: string): IterationRecord {
  const iteration = iterationRow(store, projectId, iterationId);
  predictingModel(store, iteration);
  return iteration;
}

function checkFilter(store: Store, iteration: IterationRecord, filter: TagFilter): void {
  if (filter.tagIds.length === 0) throw badRequest('BadRequestRequiredParamIsNull', 'Give the tags to filter suggestions on (tagIds).');
  const known = new Set(store.iterations.snapshotTags(iteration.id).map((t) => t.id));
  const unknown = filter.tagIds.filter((t) => !known.has(t));
  if (unknown.length) throw badRequest('BadRequestInvalidIds', `Iteration "${iteration.name}" was not trained on tags ${unknown.join(', ')}.`);
}

const reaches = (s: Suggestion, filter: TagFilter) => s.predictions.some((p) => p.probability >= filter.threshold && filter.tagIds.includes(p.tagId));

/** The project's untagged images, newest first, with the iteration's suggestion for each. */
async function untaggedWithSuggestions(labeler: SmartLabeler, iteration: IterationRecord) {
  const images = labeler.store.images.list(iteration.projectId, { taggingStatus: 'Untagged' }, { oldestFirst: false, take: -1, skip: 0 });
  const suggestions = await labeler.cache.forHashes(iteration, images.map((i) => i.hash));
  return images.map((image, i) => ({ image, suggestion: suggestions[i], uncertainty: predictionUncertainty(suggestions[i].predictions, iteration.classificationType) }));
}

function suggested(iteration: IterationRecord, image: ImageRecord, suggestion: Suggestion) {
  return {
    id: image.id,
    project: iteration.projectId,
    iteration: iteration.id,
    created: suggestion.created,
    predictions: suggestion.predictions,
    predictionUncertainty: predictionUncertainty(suggestion.predictions, iteration.classificationType),
  };
}

/** SuggestTagsAndRegions: the iteration's predictions for each image (any of the project's; the caller picks untagged ones). */
export async function suggestTagsAndRegions(labeler: SmartLabeler, store: Store, projectId: string, iterationId: string, imageIds: string[]) {
  const iteration = suggestingIteration(store, projectId, iterationId);
  const images = imageIds.map((id) => {
    const image = store.images.byId(iteration.projectId, id);
    if (!image) throw badRequest('BadRequestInvalidIds', `Image ${id} is not an image of project ${iteration.projectId}.`);
    return image;
  });
  const suggestions = await labeler.cache.forHashes(iteration, images.map((i) => i.hash));
  return images.map((image, i) => suggested(iteration, image, suggestions[i]));
}

/** QuerySuggestedImageCount: per tag, the untagged images whose suggestion for it is at or above the threshold. */
export async function querySuggestedImageCount(labeler: SmartLabeler, store: Store, projectId: string, iterationId: string, filter: TagFilter): Promise<Record<string, number>> {
  const iteration = suggestingIteration(store, projectId, iterationId);
  checkFilter(store, iteration, filter);
  const counts: Record<string, number> = Object.fromEntries(filter.tagIds.map((t) => [t, 0]));
  for (const { suggestion } of await untaggedWithSuggestions(labeler, iteration)) {
    for (const p of suggestion.predictions) if (p.tagId in counts && p.probability >= filter.threshold) counts[p.tagId]++;
  }
  return counts;
}

/**
 * QuerySuggestedImages: the untagged images whose suggestion reaches the threshold for any of the
 * tags, a page at a time. The first call opens a session pinning the matching images in order.
 */
export async function querySuggestedImages(labeler: SmartLabeler, store: Store, projectId: string, iterationId: string, query: SuggestedImagesQuery, links: ImageLinks) {
  const { sessions } = labeler;
  const iteration = suggestingIteration(store, projectId, iterationId);
  checkFilter(store, iteration, query);
  const pinnedQuery = JSON.stringify([iteration.id, [...query.tagIds].sort(), query.threshold, query.sortBy ?? null]);
  let { session } = query;
  let imageIds: string[];
  let offset = 0;
  if (session) {
    imageIds = sessions.imageIds(session, pinnedQuery);
    if (query.continuation) offset = continuationOffset(session, query.continuation);
  } else {
    if (query.continuation) throw badRequest('BadRequestPredictionInvalidQueryParameters', 'A continuation token needs the session it came with.');
    const matching = (await untaggedWithSuggestions(labeler, iteration)).filter((m) => reaches(m.suggestion, query));
    const direction = query.sortBy === 'UncertaintyDescending' ? -1 : 1;
    if (query.sortBy) matching.sort((a, b) => direction * (a.uncertainty - b.uncertainty)); // stable: ties stay newest first
    imageIds = matching.map((m) => m.image.id);
    session = sessions.open(pinnedQuery, imageIds);
  }
  const pageIds = imageIds.slice(offset, offset + query.maxCount);
  // Images deleted since the session opened are left out of their page.
  const images = pageIds.map((id) => store.images.byId(iteration.projectId, id)).filter((i): i is ImageRecord => i !== undefined);
  const suggestions = await labeler.cache.forHashes(iteration, images.map((i) => i.hash));
  const end = offset + pageIds.length;
  return {
    token: { ...query, session, continuation: end < imageIds.length ? continuationToken(session, end) : '' },
    results: images.map((image, i) => ({
      ...suggested(iteration, image, suggestions[i]),
      width: image.width,
      height: image.height,
      ...imageUris(links, image.hash),
      domain: iteration.domainId,
    })),
  };
}
