/** @module Images given by URL: fetched safely, with fetch failures reported the way the spec does. */
import { badRequest } from '../errors';
import { fetchImage, ImageFetchError } from '../net/fetch-image';
import type { ImageLinks, Store } from './context';
import { createImages, type ImageCreateSummary, type NewImage } from './images';
import { LIMITS } from './limits';
import { requireProject } from './projects';

export interface UrlBatch {
  entries: { url: string; tagIds?: string[]; metadata?: Record<string, string> }[];
  tagIds: string[];
}

/** CreateImagesFromUrls: an image that cannot be fetched gets its own status (ErrorSource, ErrorImageSize), not the batch's. */
export async function createImagesFromUrls(store: Store, projectId: string, batch: UrlBatch, links: ImageLinks, options: { allowPrivate: boolean }): Promise<ImageCreateSummary> {
  requireProject(store, projectId);
  const entries: NewImage[] = await Promise.all(
    batch.entries.map(async (entry): Promise<NewImage> => {
      try {
        const bytes = await fetchImage(entry.url, { maxBytes: LIMITS.trainingImageBytes, allowPrivate: options.allowPrivate });
        return { bytes, sourceUrl: entry.url, tagIds: entry.tagIds, metadata: entry.metadata };
      } catch (error) {
        if (!(error instanceof ImageFetchError)) throw error;
        return { failure: error.reason === 'size' ? 'ErrorImageSize' : 'ErrorSource', sourceUrl: entry.url, tagIds: entry.tagIds };
      }
    }),
  );
  return createImages(store, projectId, entries, batch.tagIds, links);
}

/** The image behind a quick test's or a prediction's URL; a failed fetch is the spec's 400. */
export async function fetchImageToClassify(url: string, options: { maxBytes: number; allowPrivate: boolean }): Promise<Buffer> {
  try {
    return await fetchImage(url, options);
  } catch (error) {
    if (!(error instanceof ImageFetchError)) throw error;
    throw badRequest(error.reason === 'size' ? 'BadRequestImageSizeBytes' : 'BadRequestImageUrl', `Could not get the image at ${url}: ${error.message}`);
  }
}
