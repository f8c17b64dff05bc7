/**
 * @module Reading a project's images from any Custom Vision endpoint for a copy: every image, tagged
 * and untagged, page by page as Azure serves them, and each original's bytes from its URI, with retries.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { TrainingAPIClient, TrainingAPIModels } from '@azure/cognitiveservices-customvision-training';
import { sdkOptions } from './waiting';

/** Azure's largest page of `getTaggedImages` / `getUntaggedImages`. */
export const MAX_PAGE = 256;

/** Download attempts per image before it is reported as failed. */
const ATTEMPTS = 4;

/**
 * Every image of the project, oldest first (the order the source trained them in, which the copy
 * keeps): the tagged ones, then the untagged ones, each listed with `take`/`skip` until a short page.
 */
export async function listAllImages(trainer: TrainingAPIClient, projectId: string, pageSize: number, signal?: AbortSignal): Promise<TrainingAPIModels.Image[]> {
  const take = Math.max(1, Math.min(pageSize, MAX_PAGE));
  const listings = [
    (skip: number) => trainer.getTaggedImages(projectId, { take, skip, orderBy: 'Oldest', ...sdkOptions(signal) }),
    (skip: number) => trainer.getUntaggedImages(projectId, { take, skip, orderBy: 'Oldest', ...sdkOptions(signal) }),
  ];
  const images: TrainingAPIModels.Image[] = [];
  for (const list of listings) {
    for (let skip = 0; ; skip += take) {
      const page = await list(skip);
      images.push(...page);
      if (page.length < take) break;
    }
  }
  // Stable: images created at the same instant keep the service's order.
  return images.sort((a, b) => (a.created?.getTime() ?? 0) - (b.created?.getTime() ?? 0));
}

/**
 * The original bytes of an image, from its `originalImageUri` (Azure: a time-limited blob URL, no
 * key). A failed attempt is retried after a growing pause, with a fresh URI from `getImagesByIds`,
 * since Azure's links expire; the last error is thrown.
 */
export async function downloadOriginal(trainer: TrainingAPIClient, projectId: string, image: TrainingAPIModels.Image, signal?: AbortSignal): Promise<Buffer> {
  let uri = image.originalImageUri;
  let lastError: unknown;
  for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
    try {
      if (!uri) throw new Error(`image ${image.id} has no originalImageUri`);
      const response = await fetch(uri, { signal });
      if (!response.ok) throw new Error(`GET ${new URL(uri).origin}${new URL(uri).pathname}: HTTP ${response.status}`);
      return Buffer.from(await response.arrayBuffer());
    } catch (error) {
      signal?.throwIfAborted();
      lastError = error;
    }
    if (attempt === ATTEMPTS) break;
    await sleep(250 * 2 ** (attempt - 1), undefined, { signal });
    const [fresh] = await trainer.getImagesByIds(projectId, { imageIds: [image.id as string], ...sdkOptions(signal) }).catch(() => []);
    uri = fresh?.originalImageUri ?? uri;
  }
  throw lastError;
}
