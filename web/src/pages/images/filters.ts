/** @module Which images the grid shows (all, tagged, untagged, one tag) and the listing that answers each. */
import type { Tag } from '../../api/types';

export type ImageFilter = { kind: 'all' } | { kind: 'tagged' } | { kind: 'untagged' } | { kind: 'tag'; tagId: string };

export const ALL_IMAGES: ImageFilter = { kind: 'all' };

/** The listing path (after the project) and its query for one filter. */
export function listingOf(filter: ImageFilter): { path: string; tagIds?: string[] } {
  switch (filter.kind) {
    case 'all':
      return { path: '/images' };
    case 'tagged':
      return { path: '/images/tagged' };
    case 'untagged':
      return { path: '/images/untagged' };
    case 'tag':
      return { path: '/images/tagged', tagIds: [filter.tagId] };
  }
}

export function sameFilter(a: ImageFilter, b: ImageFilter): boolean {
  return a.kind === b.kind && (a.kind !== 'tag' || a.tagId === (b as { tagId: string }).tagId);
}

/** What the grid's heading says: a kind of images, or "Tag" and the tag's name. */
export function filterTitle(filter: ImageFilter, tags: readonly Tag[]): { title: string; tagName?: string } {
  switch (filter.kind) {
    case 'all':
      return { title: 'All images' };
    case 'tagged':
      return { title: 'Tagged images' };
    case 'untagged':
      return { title: 'Untagged images' };
    case 'tag':
      return { title: 'Tag', tagName: tags.find((t) => t.id === filter.tagId)?.name ?? 'deleted tag' };
  }
}
