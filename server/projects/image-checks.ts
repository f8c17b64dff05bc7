/** @module The checks an uploaded image passes: its bytes (format, size, dimensions), its metadata, the number of ids per request. */
import { badRequest } from '../errors';
import { ImageDecodeError, inspectImage } from '../ml/image';
import { LIMITS } from './limits';

export type ImageCreateStatus =
  | 'OK'
  | 'OKDuplicate'
  | 'ErrorSource'
  | 'ErrorImageFormat'
  | 'ErrorImageSize'
  | 'ErrorStorage'
  | 'ErrorLimitExceed'
  | 'ErrorTagLimitExceed'
  | 'ErrorNegativeAndRegularTagOnSameImage'
  | 'ErrorUnknown'
  | 'ErrorImageDimensions'
  | 'ErrorInvalidTag';

/** One image to add: its bytes, or the reason they could not be had (a failed URL fetch, an oversized part). */
export interface NewImage {
  bytes?: Buffer;
  failure?: ImageCreateStatus;
  sourceUrl?: string;
  tagIds?: string[];
  metadata?: Record<string, string>;
}

export function checkMetadata(metadata: Record<string, string> | undefined): Record<string, string> | undefined {
  if (!metadata) return undefined;
  const entries = Object.entries(metadata);
  if (entries.length > LIMITS.metadataPairs) throw badRequest('BadRequestImageMetadataKey', `At most ${LIMITS.metadataPairs} metadata pairs per image.`);
  for (const [key, value] of entries) {
    if (!key || key.length > LIMITS.metadataKeyLength) throw badRequest('BadRequestImageMetadataKey', `Metadata key "${key}" is empty or longer than ${LIMITS.metadataKeyLength} characters.`);
    if (typeof value !== 'string' || value.length > LIMITS.metadataValueLength) {
      throw badRequest('BadRequestImageMetadataValue', `Metadata value of "${key}" must be a string of at most ${LIMITS.metadataValueLength} characters.`);
    }
  }
  return metadata;
}

/** Decodes and checks one upload; the status the summary reports when it is not acceptable. */
export async function checkUpload(entry: NewImage): Promise<{ status: ImageCreateStatus; width?: number; height?: number; format?: string }> {
  if (entry.failure) return { status: entry.failure };
  const bytes = entry.bytes;
  if (!bytes || bytes.length === 0) return { status: 'ErrorImageFormat' };
  if (bytes.length > LIMITS.trainingImageBytes) return { status: 'ErrorImageSize' };
  try {
    const info = await inspectImage(bytes);
    const { width, height } = info;
    if (Math.max(width, height) > LIMITS.maxSide) return { status: 'ErrorImageDimensions' };
    if (Math.max(width, height) / Math.max(1, Math.min(width, height)) > LIMITS.maxAspectRatio) return { status: 'ErrorImageDimensions' };
    return { status: 'OK', width, height, format: info.format };
  } catch (error) {
    if (error instanceof ImageDecodeError) return { status: 'ErrorImageFormat' };
    throw error;
  }
}

/** At most `limit` ids per request, as the real service allows. */
export function checkIdCount(ids: readonly string[], limit: number): void {
  if (ids.length > limit) throw badRequest('BadRequestExceededBatchSize', `At most ${limit} image ids per request, got ${ids.length}.`);
}

