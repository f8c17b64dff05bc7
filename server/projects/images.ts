/** @module Training images of a project: upload with per-image status, listings, deletion (tagging: image-tags.ts). */
import { badRequest } from '../errors';
import type { ImageRecord, ImageTag } from '../store/repositories';
import { imageUris, newId, now, type ImageLinks, type Store } from './context';
import { checkIdCount, checkMetadata, checkUpload, type ImageCreateStatus, type NewImage } from './image-checks';
import { checkTagIds } from './image-tags';
import { iterationRow } from './iterations';
import { LIMITS } from './limits';
import { requireProject } from './projects';
import { readSnapshot, type TrainingSnapshot } from './snapshots';
import { tagsById } from './tags';

export type { ImageCreateStatus, ImageTag, NewImage };
export { checkTagIds, createImageTags, deleteImageTags, type ImageTagCreateSummary, type ImageTagPair } from './image-tags';

export interface Image {
  id: string;
  created: string;
  width: number;
  height: number;
  resizedImageUri: string;
  thumbnailUri: string;
  originalImageUri: string;
  tags: ImageTag[];
  regions: [];
  metadata: Record<string, string>;
}

export interface ImageCreateResult {
  sourceUrl: string | null;
  status: ImageCreateStatus;
  image: Image | null;
}

export interface ImageCreateSummary {
  isBatchSuccessful: boolean;
  images: ImageCreateResult[];
}

/**
 * Adds a batch of images. Every image gets a status; bad ones never fail the batch. Bytes go to
 * the blob store first, then all rows in one transaction, so an acknowledged image is durable
 * and a crash mid-batch leaves no half-stored image.
 */
export async function createImages(
  store: Store,
  projectId: string,
  entries: NewImage[],
  batchTagIds: string[],
  links: ImageLinks,
): Promise<ImageCreateSummary> {
  const project = requireProject(store, projectId);
  if (entries.length === 0) throw badRequest('BadRequestImageBatch', 'The batch holds no images.');
  if (entries.length > LIMITS.batchSize) {
    throw badRequest('BadRequestExceededBatchSize', `At most ${LIMITS.batchSize} images per batch, got ${entries.length}.`);
  }
  const defaultTags = checkTagIds(store, project.id, batchTagIds);
  const known = tagsById(store, project.id);
  entries.forEach((e) => checkMetadata(e.metadata));

  type Planned = { status: ImageCreateStatus; sourceUrl: string | null; image?: ImageRecord; tagIds?: string[]; isNew?: boolean };
  const planned: Planned[] = [];
  const batchHashes = new Map<string, ImageRecord>();
  for (const entry of entries) {
    const sourceUrl = entry.sourceUrl ?? null;
    const tagIds = entry.tagIds ? entry.tagIds.map((t) => t.toLowerCase()) : defaultTags;
    if (tagIds.some((t) => !known.has(t))) {
      planned.push({ status: 'ErrorInvalidTag', sourceUrl });
      continue;
    }
    if (tagIds.length > LIMITS.tagsPerImage) {
      planned.push({ status: 'ErrorTagLimitExceed', sourceUrl });
      continue;
    }
    const check = await checkUpload(entry);
    if (check.status !== 'OK') {
      planned.push({ status: check.status, sourceUrl });
      continue;
    }
    const hash = await store.blobs.put(entry.bytes as Buffer);
    const existing = store.images.byHash(project.id, hash) ?? batchHashes.get(hash);
    if (existing) {
      planned.push({ status: 'OKDuplicate', sourceUrl, image: existing });
      continue;
    }
    const image: ImageRecord = {
      id: newId(),
      projectId: project.id,
      hash,
      format: check.format as string,
      width: check.width as number,
      height: check.height as number,
      created: now(),
      metadata: entry.metadata ?? null,
    };
    batchHashes.set(hash, image);
    planned.push({ status: 'OK', sourceUrl, image, tagIds: [...new Set(tagIds)], isNew: true });
  }

  store.atomically(() => {
    for (const p of planned) {
      if (!p.isNew || !p.image) continue;
      // A concurrent upload of the same bytes may have committed since we looked: then it is a duplicate.
      const committed = store.images.byHash(project.id, p.image.hash);
      if (committed) {
        Object.assign(p, { status: 'OKDuplicate', image: committed, isNew: false });
        continue;
      }
      store.images.insert(p.image, p.tagIds ?? []);
    }
  });

  const stored = planned.flatMap((p) => (p.image ? [p.image] : []));
  const shaped = new Map(toImages(store, stored, links).map((img) => [img.id, img]));
  const images = planned.map((p) => ({ sourceUrl: p.sourceUrl, status: p.status, image: p.image ? (shaped.get(p.image.id) ?? null) : null }));
  return { isBatchSuccessful: images.every((i) => i.status === 'OK' || i.status === 'OKDuplicate'), images };
}

/** Shapes images as the spec's Image, with their current tags. */
function toImages(store: Store, records: ImageRecord[], links: ImageLinks): Image[] {
  return records.map((image) => ({
    id: image.id,
    created: image.created,
    width: image.width,
    height: image.height,
    ...imageUris(links, image.hash),
    tags: store.images.tagsOf(image.id),
    regions: [],
    metadata: image.metadata ?? {},
  }));
}

export type TaggingStatus = 'All' | 'Tagged' | 'Untagged';
export type OrderBy = 'Newest' | 'Oldest';

/** One page of an iteration's rows, which are stored oldest first, in the requested order (newest first by default). */
export function pageOf<T>(rows: T[], query: { orderBy?: OrderBy; skip?: number; take?: number }): T[] {
  const ordered = query.orderBy === 'Oldest' ? rows : [...rows].reverse();
  return ordered.slice(query.skip ?? 0, (query.skip ?? 0) + (query.take ?? 50));
}

export interface ImageQuery {
  taggingStatus: TaggingStatus;
  tagIds?: string[];
  orderBy?: OrderBy;
  take?: number;
  skip?: number;
  /** Metadata equality filters, all of which must hold. */
  metadata?: Record<string, string>;
  /** The images as an iteration trained on them (its snapshot), instead of the workspace. */
  iterationId?: string;
}

/** The tagged images an iteration trained on, with the tags they had then, filtered (oldest first); and its tags. */
function iterationImages(store: Store, projectId: string, query: ImageQuery): TrainingSnapshot {
  const iteration = iterationRow(store, projectId, query.iterationId as string);
  const snapshot = readSnapshot(store, iteration.id);
  if (query.taggingStatus === 'Untagged') return { images: [], tags: snapshot.tags }; // an iteration trains on tagged images only
  const wanted = query.tagIds?.length ? new Set(query.tagIds) : undefined;
  return { images: snapshot.images.filter((i) => !wanted || i.tagIds.some((t) => wanted.has(t))), tags: snapshot.tags };
}

function snapshotImages(snapshot: TrainingSnapshot, links: ImageLinks): Image[] {
  const names = new Map(snapshot.tags.map((t) => [t.id, t.name]));
  return snapshot.images.map((i) => ({
    id: i.imageId,
    created: i.created,
    width: i.width,
    height: i.height,
    ...imageUris(links, i.hash),
    tags: i.tagIds.map((t) => ({ tagId: t, tagName: names.get(t) ?? '', created: i.created })),
    regions: [],
    metadata: {},
  }));
}

/** The workspace filter of a query, its tag ids checked against the project's tags. */
function workspaceFilter(store: Store, projectId: string, query: ImageQuery) {
  const tagIds = query.tagIds ? checkTagIds(store, projectId, query.tagIds) : undefined;
  return { taggingStatus: query.taggingStatus, tagIds, metadata: query.metadata };
}

export function listImages(store: Store, projectId: string, query: ImageQuery, links: ImageLinks): Image[] {
  const project = requireProject(store, projectId);
  if (query.iterationId) {
    const { images, tags } = iterationImages(store, project.id, query);
    return snapshotImages({ images: pageOf(images, query), tags }, links);
  }
  const page = { oldestFirst: query.orderBy === 'Oldest', take: query.take ?? 50, skip: query.skip ?? 0 };
  return toImages(store, store.images.list(project.id, workspaceFilter(store, project.id, query), page), links);
}

export function countImages(store: Store, projectId: string, query: ImageQuery): number {
  const project = requireProject(store, projectId);
  if (query.iterationId) return iterationImages(store, project.id, query).images.length;
  return store.images.count(project.id, workspaceFilter(store, project.id, query));
}

/** Images by id, in the order asked; unknown ids are left out, as the real service does. */
export function getImagesByIds(store: Store, projectId: string, imageIds: string[], links: ImageLinks): Image[] {
  const project = requireProject(store, projectId);
  checkIdCount(imageIds, LIMITS.idsPerRequest);
  const found = imageIds.flatMap((id) => store.images.byId(project.id, id.toLowerCase()) ?? []);
  return toImages(store, found, links);
}

/** Deletes images from the workspace; trained iterations keep their own copy of what they used. */
export function deleteImages(store: Store, projectId: string, selection: { imageIds?: string[]; allImages?: boolean }): void {
  const project = requireProject(store, projectId);
  if (selection.allImages) {
    store.images.deleteAll(project.id);
    return;
  }
  const ids = selection.imageIds ?? [];
  if (ids.length === 0) throw badRequest('BadRequestInvalidIds', 'Give the ids of the images to delete (imageIds), or allImages=true.');
  checkIdCount(ids, LIMITS.idsPerRequest);
  store.images.delete(project.id, ids.map((id) => id.toLowerCase()));
}

