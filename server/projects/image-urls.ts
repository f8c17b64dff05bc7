/** @module Images given by URL: fetched safely, a few at a time within the service's fetch slots, with fetch failures reported the way the spec does. */
import { badRequest } from '../errors';
import { fetchImage, ImageFetchError } from '../net/fetch-image';
import type { ImageLinks, Store } from './context';
import { createImages, type ImageCreateSummary, type NewImage } from './images';
import { LIMITS } from './limits';
import { requireProject } from './projects';
import { checkImageQuota } from './quota-checks';
import { FETCHES_PER_REQUEST, mapAtMost, type FetchSlots } from './url-fetches';

export interface UrlBatch {
  entries: { url: string; tagIds?: string[]; metadata?: Record<string, string> }[];
  tagIds: string[];
}

/** How the service fetches image URLs: whether private addresses may be reached, and its fetch slots. */
export interface UrlFetching {
  allowPrivate: boolean;
  /** The service's fetch slots (the routes always pass them); without, as in tests of a rule alone, only a request's own bound applies. */
  slots?: FetchSlots;
}

/** Runs a fetch in one of the service's slots for `resource`, when there are slots. */
const inSlot = <T>(fetching: UrlFetching, resource: string, fetch: () => Promise<T>): Promise<T> => (fetching.slots ? fetching.slots.run(resource, fetch) : fetch());

/**
 * CreateImagesFromUrls: an image that cannot be fetched gets its own status (ErrorSource,
 * ErrorImageSize), not the batch's. A project already at its image quota is refused before
 * anything is fetched.
 */
export async function createImagesFromUrls(store: Store, projectId: string, batch: UrlBatch, links: ImageLinks, fetching: UrlFetching): Promise<ImageCreateSummary> {
  const project = requireProject(store, projectId);
  checkImageQuota(store, project.id);
  const entries = await mapAtMost(batch.entries, FETCHES_PER_REQUEST, async (entry): Promise<NewImage> => {
    try {
      const bytes = await inSlot(fetching, store.resource.name, () => fetchImage(entry.url, { maxBytes: LIMITS.trainingImageBytes, allowPrivate: fetching.allowPrivate }));
      return { bytes, sourceUrl: entry.url, tagIds: entry.tagIds, metadata: entry.metadata };
    } catch (error) {
      if (!(error instanceof ImageFetchError)) throw error;
      return { failure: error.reason === 'size' ? 'ErrorImageSize' : 'ErrorSource', sourceUrl: entry.url, tagIds: entry.tagIds };
    }
  });
  return createImages(store, project.id, entries, batch.tagIds, links);
}

/** The image behind a quick test's or a prediction's URL, fetched in one of the service's slots for `resource`; a failed fetch is the spec's 400. */
export async function fetchImageToClassify(url: string, resource: string, options: UrlFetching & { maxBytes: number }): Promise<Buffer> {
  try {
    return await inSlot(options, resource, () => fetchImage(url, { maxBytes: options.maxBytes, allowPrivate: options.allowPrivate }));
  } catch (error) {
    if (!(error instanceof ImageFetchError)) throw error;
    throw badRequest(error.reason === 'size' ? 'BadRequestImageSizeBytes' : 'BadRequestImageUrl', `Could not get the image at ${url}: ${error.message}`);
  }
}
