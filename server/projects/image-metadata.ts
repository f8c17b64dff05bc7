/** @module UpdateImageMetadata: the given pairs merged into each image's metadata, with a status per image. */
import { badRequest } from '../errors';
import type { Store } from './context';
import { checkMetadata } from './image-checks';
import { LIMITS } from './limits';
import { requireProject } from './projects';

export type ImageMetadataUpdateStatus = 'OK' | 'ErrorImageNotFound' | 'ErrorLimitExceed' | 'ErrorUnknown';

export interface ImageMetadataUpdateEntry {
  imageId: string;
  status: ImageMetadataUpdateStatus;
  /** The image's metadata after the update (as it stays, when refused); null for an unknown image. */
  metadata: Record<string, string> | null;
}

export interface ImageMetadataUpdateSummary {
  isBatchSuccessful: boolean;
  images: ImageMetadataUpdateEntry[];
}

/**
 * Sets the given keys on each image, keeping its other keys, as "update" says. An image whose
 * metadata would then exceed the pair limit is left as it was (ErrorLimitExceed).
 */
export function updateImageMetadata(store: Store, projectId: string, imageIds: string[], metadata: Record<string, string>): ImageMetadataUpdateSummary {
  const project = requireProject(store, projectId);
  if (imageIds.length === 0) throw badRequest('BadRequestInvalidIds', 'Give the ids of the images to update (imageIds).');
  if (imageIds.length > LIMITS.batchSize) {
    throw badRequest('BadRequestExceededBatchSize', `At most ${LIMITS.batchSize} images per metadata update, got ${imageIds.length}.`);
  }
  if (Object.keys(metadata).length === 0) throw badRequest('BadRequestImageMetadataKey', 'The body holds no metadata to set.');
  checkMetadata(metadata);
  const ids = [...new Set(imageIds.map((id) => id.toLowerCase()))];
  const images = store.atomically(() =>
    ids.map((imageId): ImageMetadataUpdateEntry => {
      const image = store.images.byId(project.id, imageId);
      if (!image) return { imageId, status: 'ErrorImageNotFound', metadata: null };
      const merged = { ...(image.metadata ?? {}), ...metadata };
      if (Object.keys(merged).length > LIMITS.metadataPairs) return { imageId, status: 'ErrorLimitExceed', metadata: image.metadata ?? {} };
      store.images.setMetadata(image.id, merged);
      return { imageId, status: 'OK', metadata: merged };
    }),
  );
  return { isBatchSuccessful: images.every((i) => i.status === 'OK'), images };
}
