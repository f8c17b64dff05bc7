/**
 * @module CreateImagesFromPredictions: the images of stored predictions (quick tests with
 * store=true, the Prediction API's storing routes) added to the training images, with tags and
 * metadata, through the same checks and per-image statuses as any upload.
 */
import { badRequest } from '../errors';
import type { ImageLinks, Store } from './context';
import type { NewImage } from './image-checks';
import { createImages, type ImageCreateSummary } from './images';
import { LIMITS } from './limits';
import { requireProject } from './projects';
import { checkImageQuota } from './quota-checks';
import { FETCHES_PER_REQUEST, mapAtMost } from './url-fetches';

/** ImageIdCreateBatch as read from the body: `id` is a stored prediction's id. */
export interface PredictedImageBatch {
  images: { id: string; tagIds?: string[]; regions?: unknown[] }[];
  tagIds: string[];
  metadata?: Record<string, string>;
}

/**
 * Each entry's prediction image becomes a training image (OKDuplicate when the project already
 * holds those bytes). An id that is no stored prediction of this project is ErrorSource: there is
 * no image to take.
 */
export async function createImagesFromPredictions(store: Store, projectId: string, batch: PredictedImageBatch, links: ImageLinks): Promise<ImageCreateSummary> {
  const project = requireProject(store, projectId);
  // Refused before any image is read: a long list naming one prediction must not cost its bytes each time.
  if (batch.images.length > LIMITS.batchSize) {
    throw badRequest('BadRequestExceededBatchSize', `At most ${LIMITS.batchSize} images per batch, got ${batch.images.length}.`);
  }
  if (batch.images.some((entry) => entry.regions?.length)) {
    throw badRequest('BadRequestImageRegions', 'Regions belong to object detection projects, which the local Custom Vision service does not support: send the entries without regions.');
  }
  // Refused before any image is read when the project is full: the bytes would only be thrown away.
  checkImageQuota(store, project.id);
  // Read a few at a time: the batch's bytes are held until it is stored, and admission counted them (admission.ts).
  const entries = await mapAtMost(batch.images, FETCHES_PER_REQUEST, async (entry): Promise<NewImage> => {
    const prediction = store.predictions.byId(project.id, entry.id.toLowerCase());
    const bytes = prediction ? await store.blobs.get(prediction.hash).catch(() => undefined) : undefined;
    const image = { tagIds: entry.tagIds ?? (batch.tagIds.length ? batch.tagIds : undefined), metadata: batch.metadata };
    return bytes ? { ...image, bytes } : { ...image, failure: 'ErrorSource' };
  });
  return createImages(store, project.id, entries, batch.tagIds, links);
}
