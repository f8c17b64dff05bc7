/** @module Tags on a project's images: checking tag ids, tagging and untagging images in batches. */
import { badRequest, notFound } from '../errors';
import type { TagSummary } from '../store/repositories';
import { now, type Store } from './context';
import { checkIdCount } from './image-checks';
import { LIMITS } from './limits';
import { requireProject } from './projects';
import { tagsById } from './tags';

/** The tag ids (any case) as the project knows them, without repeats; unknown ids are BadRequestImageTags. */
export function checkTagIds(store: Store, projectId: string, tagIds: readonly string[]): string[] {
  if (tagIds.length > LIMITS.tagsPerBatch) {
    throw badRequest('BadRequestExceededBatchSize', `At most ${LIMITS.tagsPerBatch} tags per request, got ${tagIds.length}.`);
  }
  const known = tagsById(store, projectId);
  const ids = tagIds.map((t) => t.toLowerCase());
  const unknown = ids.filter((t) => !known.has(t));
  if (unknown.length) throw badRequest('BadRequestImageTags', `Unknown tag ids for this project: ${unknown.join(', ')}.`);
  return [...new Set(ids)];
}

/**
 * Whether these tags put the project's Negative tag next to another tag: as on Azure, an image
 * with the Negative tag ("none of the other tags applies") has no other tag.
 */
export function mixesNegative(known: ReadonlyMap<string, TagSummary>, tagIds: Iterable<string>): boolean {
  const types = [...new Set(tagIds)].map((t) => known.get(t)?.type);
  return types.length > 1 && types.includes('Negative');
}

export interface ImageTagPair {
  imageId: string;
  tagId: string;
}

export interface ImageTagCreateSummary {
  created: ImageTagPair[];
  duplicated: ImageTagPair[];
  exceeded: ImageTagPair[];
}

export function createImageTags(store: Store, projectId: string, pairs: ImageTagPair[]): ImageTagCreateSummary {
  const project = requireProject(store, projectId);
  if (pairs.length === 0) throw badRequest('BadRequestImageTags', 'The batch holds no image tags.');
  if (pairs.length > LIMITS.imageTagBatch) {
    throw badRequest('BadRequestExceededBatchSize', `At most ${LIMITS.imageTagBatch} image tags per batch, got ${pairs.length}.`);
  }
  const known = tagsById(store, project.id);
  const normalised = pairs.map((p) => ({ imageId: String(p.imageId ?? '').toLowerCase(), tagId: String(p.tagId ?? '').toLowerCase() }));
  for (const p of normalised) {
    if (!known.has(p.tagId)) throw badRequest('BadRequestImageTags', `Unknown tag id ${p.tagId} for this project.`);
    if (!store.images.byId(project.id, p.imageId)) throw notFound('NotFoundImage', `Image ${p.imageId} not found in this project.`);
  }
  checkNegativeAlone(store, known, normalised);
  const summary: ImageTagCreateSummary = { created: [], duplicated: [], exceeded: [] };
  store.atomically(() => {
    for (const p of normalised) {
      if (store.images.hasTag(p.imageId, p.tagId)) summary.duplicated.push(p);
      else if (store.images.tagCount(p.imageId) >= LIMITS.tagsPerImage) summary.exceeded.push(p);
      else {
        store.images.addTag(p.imageId, p.tagId, now());
        summary.created.push(p);
      }
    }
  });
  return summary;
}

/**
 * Refuses the whole batch when it would leave an image with the Negative tag and another tag: the
 * spec's ImageTagCreateSummary has no per-pair error, so the error is the batch's, as
 * BadRequestNegativeAndRegularTagOnSameImage (its error code), before anything is written.
 */
function checkNegativeAlone(store: Store, known: ReadonlyMap<string, TagSummary>, pairs: readonly ImageTagPair[]): void {
  const after = new Map<string, string[]>();
  for (const p of pairs) {
    if (!after.has(p.imageId)) after.set(p.imageId, store.images.tagsOf(p.imageId).map((t) => t.tagId));
    after.get(p.imageId)!.push(p.tagId);
  }
  for (const [imageId, tagIds] of after) {
    if (mixesNegative(known, tagIds)) {
      throw badRequest(
        'BadRequestNegativeAndRegularTagOnSameImage',
        `Image ${imageId} would carry the Negative tag and another tag: an image with the Negative tag has no other tag. Remove one of them first.`,
      );
    }
  }
}

export function deleteImageTags(store: Store, projectId: string, imageIds: string[], tagIds: string[]): void {
  const project = requireProject(store, projectId);
  if (imageIds.length === 0 || tagIds.length === 0) throw badRequest('BadRequestInvalidIds', 'Give both imageIds and tagIds.');
  checkIdCount(imageIds, LIMITS.batchSize);
  const tags = checkTagIds(store, project.id, tagIds);
  store.images.removeTags(project.id, imageIds.map((id) => id.toLowerCase()), tags);
}
