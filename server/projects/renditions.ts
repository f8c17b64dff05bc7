/** @module The forms a stored image is served in: the original bytes, what the model sees, a thumbnail. */
import sharp from 'sharp';
import { notFound } from '../errors';
import { INPUT_SIZE } from '../ml/image';
import type { Store } from './context';
import { RenditionCache } from './rendition-cache';

/** What serving an image reads: the rows that refer to it and the bytes; no project lookup, so any resource's view or the shared store will do. */
type ImageSources = Pick<Store, 'images' | 'predictions' | 'iterations' | 'blobs'>;

export type Rendition = 'original' | 'resized' | 'thumbnail';

const THUMBNAIL_SIDE = 128;

/**
 * Renderings depend on the bytes alone (the content hash names them), so one cache serves every
 * project; whether a project may show an image is checked before, on every request. Thumbnails are
 * a few kB: 32 MB holds those of several projects of thousands of images, so a grid shown again
 * costs no decoding (thumbnailing a 200-pixel PNG takes some 3 ms of CPU).
 */
const rendered = new RenditionCache(32 * 1024 * 1024);

/** Whether the project still shows the image: as a workspace image, a stored prediction or an iteration's training image. */
export function projectHoldsImage(store: ImageSources, projectId: string, hash: string): boolean {
  return store.images.byHash(projectId, hash) !== undefined || store.predictions.holdsHash(projectId, hash) || store.iterations.holdsHash(projectId, hash);
}

async function readBlob(store: ImageSources, hash: string): Promise<Buffer> {
  try {
    return await store.blobs.get(hash);
  } catch {
    throw notFound('NotFoundImage', 'The image was deleted.');
  }
}

/**
 * An image of the project in the asked form with its content type; resized forms are made on
 * demand, then cached. An image the project no longer shows is gone at once, though its bytes may
 * stay a while for another project or until the start-up sweep.
 */
export async function renderImage(store: ImageSources, projectId: string, hash: string, rendition: Rendition): Promise<{ contentType: string; bytes: Buffer }> {
  if (!projectHoldsImage(store, projectId, hash)) throw notFound('NotFoundImage', 'The image was deleted.');
  if (rendition === 'original') {
    const bytes = await readBlob(store, hash);
    const format = (await sharp(bytes).metadata().catch(() => ({ format: undefined }))).format;
    return { contentType: format ? `image/${format === 'jpg' ? 'jpeg' : format}` : 'application/octet-stream', bytes };
  }
  // Resized is the square crop the model sees; the thumbnail keeps the whole image, for listings.
  const side = rendition === 'resized' ? INPUT_SIZE : THUMBNAIL_SIDE;
  const fit = rendition === 'resized' ? 'cover' : 'inside';
  const bytes = await rendered.get(`${rendition}/${hash}`, async () => sharp(await readBlob(store, hash)).rotate().resize(side, side, { fit }).jpeg({ quality: 90 }).toBuffer());
  return { contentType: 'image/jpeg', bytes };
}
