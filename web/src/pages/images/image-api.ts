/**
 * @module The Training API calls of the images page: a page of a listing, the counts, and the
 * batch operations (tag, untag, delete) cut into requests the API accepts.
 */
import type { Api } from '../../api/client';
import type { Image } from '../../api/types';
import { listingOf, type ImageFilter } from './filters';

/** The API takes at most 64 images per upload, tagging or untagging request. */
export const BATCH_SIZE = 64;

export function chunks<T>(items: readonly T[], size = BATCH_SIZE): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

export function listImages(api: Api, projectId: string, filter: ImageFilter, skip: number, take: number, signal?: AbortSignal): Promise<Image[]> {
  const { path, tagIds } = listingOf(filter);
  return api.training<Image[]>('GET', `/projects/${projectId}${path}`, { query: { take, skip, tagIds }, signal });
}

export interface ImageCounts {
  all: number;
  tagged: number;
  untagged: number;
}

export async function countImages(api: Api, projectId: string): Promise<ImageCounts> {
  const count = (path: string) => api.training<number>('GET', `/projects/${projectId}${path}`);
  const [all, tagged, untagged] = await Promise.all([count('/images/count'), count('/images/tagged/count'), count('/images/untagged/count')]);
  return { all, tagged, untagged };
}

export async function addTag(api: Api, projectId: string, imageIds: readonly string[], tagId: string): Promise<void> {
  for (const batch of chunks(imageIds)) {
    await api.training('POST', `/projects/${projectId}/images/tags`, { json: { tags: batch.map((imageId) => ({ imageId, tagId })) } });
  }
}

export async function removeTag(api: Api, projectId: string, imageIds: readonly string[], tagId: string): Promise<void> {
  for (const batch of chunks(imageIds)) {
    await api.training('DELETE', `/projects/${projectId}/images/tags`, { query: { imageIds: batch, tagIds: [tagId] } });
  }
}

export async function deleteImages(api: Api, projectId: string, imageIds: readonly string[]): Promise<void> {
  for (const batch of chunks(imageIds)) {
    await api.training('DELETE', `/projects/${projectId}/images`, { query: { imageIds: batch } });
  }
}
