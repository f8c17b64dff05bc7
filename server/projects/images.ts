/** @module Training images of a project: upload with per-image status, deletion (listings: image-listings.ts; tagging: image-tags.ts). */
import { badRequest } from '../errors';
import type { ImageRecord, ImageTag } from '../store/repositories';
import { newId, now, type ImageLinks, type Store } from './context';
import { checkIdCount, checkMetadata, checkUpload, type ImageCreateStatus, type NewImage } from './image-checks';
import { toImages, type Image } from './image-listings';
import { checkTagIds, mixesNegative } from './image-tags';
import { LIMITS } from './limits';
import { requireProject } from './projects';
import { checkImageQuota, imageRoom } from './quota-checks';
import { tagsById } from './tags';

export type { ImageCreateStatus, ImageTag, NewImage };
export { checkTagIds, createImageTags, deleteImageTags, type ImageTagCreateSummary, type ImageTagPair } from './image-tags';
export { countImages, getImagesByIds, listImages, pageOf, type Image, type ImageQuery, type OrderBy, type TaggingStatus } from './image-listings';

export interface ImageCreateResult {
  sourceUrl: string | null;
  status: ImageCreateStatus;
  image: Image | null;
}

export interface ImageCreateSummary {
  isBatchSuccessful: boolean;
  images: ImageCreateResult[];
}

/**
 * Adds a batch of images. Every image gets a status; bad ones never fail the batch. Bytes go to
 * the blob store first, then all rows in one transaction, so an acknowledged image is durable
 * and a crash mid-batch leaves no half-stored image.
 */
export async function createImages(
  store: Store,
  projectId: string,
  entries: NewImage[],
  batchTagIds: string[],
  links: ImageLinks,
): Promise<ImageCreateSummary> {
  const project = requireProject(store, projectId);
  if (entries.length === 0) throw badRequest('BadRequestImageBatch', 'The batch holds no images.');
  if (entries.length > LIMITS.batchSize) {
    throw badRequest('BadRequestExceededBatchSize', `At most ${LIMITS.batchSize} images per batch, got ${entries.length}.`);
  }
  checkImageQuota(store, project.id);
  const defaultTags = checkTagIds(store, project.id, batchTagIds);
  const known = tagsById(store, project.id);
  entries.forEach((e) => checkMetadata(e.metadata));

  type Planned = { status: ImageCreateStatus; sourceUrl: string | null; image?: ImageRecord; tagIds?: string[]; isNew?: boolean };
  const planned: Planned[] = [];
  const batchHashes = new Map<string, ImageRecord>();
  for (const entry of entries) {
    const sourceUrl = entry.sourceUrl ?? null;
    const tagIds = entry.tagIds ? entry.tagIds.map((t) => t.toLowerCase()) : defaultTags;
    if (tagIds.some((t) => !known.has(t))) {
      planned.push({ status: 'ErrorInvalidTag', sourceUrl });
      continue;
    }
    if (tagIds.length > LIMITS.tagsPerImage) {
      planned.push({ status: 'ErrorTagLimitExceed', sourceUrl });
      continue;
    }
    if (mixesNegative(known, tagIds)) {
      planned.push({ status: 'ErrorNegativeAndRegularTagOnSameImage', sourceUrl });
      continue;
    }
    const check = await checkUpload(entry);
    if (check.status !== 'OK') {
      planned.push({ status: check.status, sourceUrl });
      continue;
    }
    const hash = await store.blobs.put(entry.bytes as Buffer);
    const existing = store.images.byHash(project.id, hash) ?? batchHashes.get(hash);
    if (existing) {
      planned.push({ status: 'OKDuplicate', sourceUrl, image: existing });
      continue;
    }
    const image: ImageRecord = {
      id: newId(),
      projectId: project.id,
      hash,
      format: check.format as string,
      width: check.width as number,
      height: check.height as number,
      created: now(),
      metadata: entry.metadata ?? null,
    };
    batchHashes.set(hash, image);
    planned.push({ status: 'OK', sourceUrl, image, tagIds: [...new Set(tagIds)], isNew: true });
  }

  store.atomically(() => {
    // Counted in the transaction: uploads to one project at the same time cannot pass the quota together.
    let room = imageRoom(store, project.id);
    for (const p of planned) {
      if (!p.isNew || !p.image) continue;
      // A concurrent upload of the same bytes may have committed since we looked: then it is a duplicate.
      const committed = store.images.byHash(project.id, p.image.hash);
      if (committed) {
        Object.assign(p, { status: 'OKDuplicate', image: committed, isNew: false });
        continue;
      }
      if (room <= 0) {
        // Its bytes were stored already; unreferenced, they go at the next start's blob sweep.
        Object.assign(p, { status: 'ErrorLimitExceed', image: undefined, isNew: false });
        continue;
      }
      room--;
      store.images.insert(p.image, p.tagIds ?? []);
    }
  });

  const stored = planned.flatMap((p) => (p.image ? [p.image] : []));
  const shaped = new Map(toImages(store, stored, links).map((img) => [img.id, img]));
  const images = planned.map((p) => ({ sourceUrl: p.sourceUrl, status: p.status, image: p.image ? (shaped.get(p.image.id) ?? null) : null }));
  return { isBatchSuccessful: images.every((i) => i.status === 'OK' || i.status === 'OKDuplicate'), images };
}

export interface ImageDeletion {
  imageIds?: string[];
  allImages?: boolean;
  /** Also remove the images from every iteration's snapshot, not just the workspace. */
  allIterations?: boolean;
}

/**
 * Deletes images from the workspace; trained iterations keep their own copy of what they used,
 * unless `allIterations`: then the iterations no longer list them or hold their bytes (their
 * models, already trained, stay as they are). An iteration still training needs its images.
 */
export function deleteImages(store: Store, projectId: string, selection: ImageDeletion): void {
  const project = requireProject(store, projectId);
  let ids: string[] | undefined;
  if (!selection.allImages) {
    ids = (selection.imageIds ?? []).map((id) => id.toLowerCase());
    if (ids.length === 0) throw badRequest('BadRequestInvalidIds', 'Give the ids of the images to delete (imageIds), or allImages=true.');
    checkIdCount(ids, LIMITS.idsPerRequest);
  }
  const training = selection.allIterations ? store.iterations.training(project.id) : undefined;
  if (training) {
    throw badRequest('BadRequestTrainingAlreadyInProgress', `Iteration "${training.name}" is training on these images: remove them from all iterations once it has finished.`);
  }
  store.atomically(() => {
    if (ids) store.images.delete(project.id, ids);
    else store.images.deleteAll(project.id);
    if (selection.allIterations) store.iterations.removeImages(project.id, ids);
  });
}

