/** @module The forms a stored image is served in: the original bytes, what the model sees, a thumbnail. */
import sharp from 'sharp';
import { notFound } from '../errors';
import { INPUT_SIZE } from '../ml/image';
import type { Store } from './context';
import { RenditionCache } from './rendition-cache';

export type Rendition = 'original' | 'resized' | 'thumbnail';

const THUMBNAIL_SIDE = 128;

/**
 * Renderings depend on the bytes alone (the content hash names them), so one cache serves every
 * store. Thumbnails are a few kB: 32 MB holds those of several projects of thousands of images,
 * so a grid shown again costs no decoding (thumbnailing a 200-pixel PNG takes some 3 ms of CPU).
 */
const rendered = new RenditionCache(32 * 1024 * 1024);

async function readBlob(store: Store, hash: string): Promise<Buffer> {
  try {
    return await store.blobs.get(hash);
  } catch {
    throw notFound('NotFoundImage', 'The image was deleted.');
  }
}

/** An image's bytes in the asked form with their content type; resized forms are made on demand, then cached. */
export async function renderImage(store: Store, hash: string, rendition: Rendition): Promise<{ contentType: string; bytes: Buffer }> {
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
