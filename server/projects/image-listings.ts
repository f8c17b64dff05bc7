/**
 * @module Reading a project's images: listings, counts and images by id, from the workspace or as
 * an iteration trained on them (its snapshot: the tags and metadata they had then).
 */
import type { ImageRecord, ImageTag, MetadataCondition, SnapshotImage } from '../store/repositories';
import { imageUris, type ImageLinks, type Store } from './context';
import { checkIdCount } from './image-checks';
import { checkTagIds } from './image-tags';
import { iterationRow } from './iterations';
import { LIMITS } from './limits';
import { matchesMetadata } from './metadata-filter';
import { requireProject } from './projects';
import { readSnapshot, type TrainingSnapshot } from './snapshots';

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
  /** The `$filter` on metadata. */
  metadata?: MetadataCondition;
  /** The images as an iteration trained on them (its snapshot), instead of the workspace. */
  iterationId?: string;
}

type ImageFields = Pick<ImageRecord, 'id' | 'created' | 'width' | 'height' | 'hash' | 'metadata'>;

/** The spec's Image, from the workspace or from a snapshot. */
function asImage(links: ImageLinks, { id, created, width, height, hash, metadata }: ImageFields, tags: ImageTag[]): Image {
  return { id, created, width, height, ...imageUris(links, hash), tags, regions: [], metadata: metadata ?? {} };
}

/** Shapes workspace images as the spec's Image, with their current tags. */
export function toImages(store: Store, records: ImageRecord[], links: ImageLinks): Image[] {
  return records.map((image) => asImage(links, image, store.images.tagsOf(image.id)));
}

/** What an iteration still holds (images removed from all iterations are gone), oldest first; and its tags. */
function iterationSnapshot(store: Store, projectId: string, iterationId: string): TrainingSnapshot {
  const iteration = iterationRow(store, projectId, iterationId);
  const snapshot = readSnapshot(store, iteration.id);
  return { images: snapshot.images.filter((i) => !i.removed), tags: snapshot.tags };
}

/** The tagged images an iteration trained on, filtered as the query asks (oldest first); and its tags. */
function iterationImages(store: Store, projectId: string, query: ImageQuery): TrainingSnapshot {
  const { images, tags } = iterationSnapshot(store, projectId, query.iterationId as string);
  if (query.taggingStatus === 'Untagged') return { images: [], tags }; // an iteration trains on tagged images only
  const wanted = query.tagIds?.length ? new Set(query.tagIds.map((t) => t.toLowerCase())) : undefined;
  const { metadata } = query;
  return {
    images: images.filter((i) => (!wanted || i.tagIds.some((t) => wanted.has(t))) && (!metadata || matchesMetadata(metadata, i.metadata))),
    tags,
  };
}

function snapshotImages(images: SnapshotImage[], tags: TrainingSnapshot['tags'], links: ImageLinks): Image[] {
  const names = new Map(tags.map((t) => [t.id, t.name]));
  return images.map((i) =>
    asImage(links, { ...i, id: i.imageId, metadata: i.metadata ?? null }, i.tagIds.map((t) => ({ tagId: t, tagName: names.get(t) ?? '', created: i.created }))),
  );
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
    return snapshotImages(pageOf(images, query), tags, links);
  }
  const page = { oldestFirst: query.orderBy === 'Oldest', take: query.take ?? 50, skip: query.skip ?? 0 };
  return toImages(store, store.images.list(project.id, workspaceFilter(store, project.id, query), page), links);
}

export function countImages(store: Store, projectId: string, query: ImageQuery): number {
  const project = requireProject(store, projectId);
  if (query.iterationId) return iterationImages(store, project.id, query).images.length;
  return store.images.count(project.id, workspaceFilter(store, project.id, query));
}

/**
 * Images by id, in the order asked, from the workspace or as the iteration trained on them;
 * unknown ids are left out, as the real service does.
 */
export function getImagesByIds(store: Store, projectId: string, imageIds: string[], links: ImageLinks, iterationId?: string): Image[] {
  const project = requireProject(store, projectId);
  checkIdCount(imageIds, LIMITS.idsPerRequest);
  const ids = imageIds.map((id) => id.toLowerCase());
  if (iterationId) {
    const { images, tags } = iterationSnapshot(store, project.id, iterationId);
    const byId = new Map(images.map((i) => [i.imageId, i]));
    return snapshotImages(ids.flatMap((id) => byId.get(id) ?? []), tags, links);
  }
  return toImages(store, ids.flatMap((id) => store.images.byId(project.id, id) ?? []), links);
}
