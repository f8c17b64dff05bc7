/** @module The forms a stored image is served in: the original bytes, what the model sees, a thumbnail. */
import sharp from 'sharp';
import { notFound } from '../errors';
import { INPUT_SIZE } from '../ml/image';
import type { Store } from './context';

export type Rendition = 'original' | 'resized' | 'thumbnail';

const THUMBNAIL_SIDE = 128;

/** An image's bytes in the asked form with their content type; resized forms are made on demand. */
export async function renderImage(store: Store, hash: string, rendition: Rendition): Promise<{ contentType: string; bytes: Buffer }> {
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
