/** @module The forms a stored image is served in: the original bytes, what the model sees, a thumbnail. */
import sharp from 'sharp';
import { notFound } from '../errors';
import { INPUT_SIZE } from '../ml/image';
import type { Store } from './context';

/** What serving an image reads: the rows that refer to it and the bytes; no project lookup, so any resource's view or the shared store will do. */
type ImageSources = Pick<Store, 'images' | 'predictions' | 'iterations' | 'blobs'>;

export type Rendition = 'original' | 'resized' | 'thumbnail';

const THUMBNAIL_SIDE = 128;

/** Whether the project still shows the image: as a workspace image, a stored prediction or an iteration's training image. */
export function projectHoldsImage(store: ImageSources, projectId: string, hash: string): boolean {
  return store.images.byHash(projectId, hash) !== undefined || store.predictions.holdsHash(projectId, hash) || store.iterations.holdsHash(projectId, hash);
}

/**
 * An image of the project in the asked form with its content type; resized forms are made on
 * demand. An image the project no longer shows is gone at once, though its bytes may stay a
 * while for another project or until the start-up sweep.
 */
export async function renderImage(store: ImageSources, projectId: string, hash: string, rendition: Rendition): Promise<{ contentType: string; bytes: Buffer }> {
  if (!projectHoldsImage(store, projectId, hash)) throw notFound('NotFoundImage', 'The image was deleted.');
  let bytes: Buffer;
  try {
    bytes = await store.blobs.get(hash);
  } catch {
    throw notFound('NotFoundImage', 'The image was deleted.');
  }
  if (rendition === 'original') {
    const format = (await sharp(bytes).metadata().catch(() => ({ format: undefined }))).format;
    return { contentType: format ? `image/${format === 'jpg' ? 'jpeg' : format}` : 'application/octet-stream', bytes };
  }
  // Resized is the square crop the model sees; the thumbnail keeps the whole image, for listings.
  const side = rendition === 'resized' ? INPUT_SIZE : THUMBNAIL_SIDE;
  const out = await sharp(bytes).rotate().resize(side, side, { fit: rendition === 'resized' ? 'cover' : 'inside' }).jpeg({ quality: 90 }).toBuffer();
  return { contentType: 'image/jpeg', bytes: out };
}
