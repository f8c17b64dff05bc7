/**
 * @module The grid's images, a page at a time: the first page as soon as the filter changes, more on
 * demand. Images shown always belong to the current filter; after a change to the images
 * (`revision`), as many as were shown are loaded again so the user keeps their place.
 */
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import type { Api } from '../../api/client';
import type { Image } from '../../api/types';
import { type ImageFilter } from './filters';
import { listImages } from './image-api';

/** Small enough that the first thumbnails come at once, large enough that scrolling rarely waits. */
export const PAGE_SIZE = 100;

export interface ImagePages {
  images: Image[];
  hasMore: boolean;
  loading: boolean;
  error: unknown;
  loadMore: () => void;
}

interface Loaded {
  key: string;
  /** The revision of the images these were loaded at. */
  revision: number;
  images: Image[];
  hasMore: boolean;
}

/** `total`, when known, spares the request that would find the last page full and the next one empty. */
export function useImagePages(api: Api, projectId: string, filter: ImageFilter, revision: number, total?: number): ImagePages {
  const key = JSON.stringify([projectId, filter]);
  const [loaded, setLoaded] = useState<Loaded>({ key: '', revision: -1, images: [], hasMore: false });
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<unknown>(null);
  const inFlight = useRef<AbortController | null>(null);
  const shown = useRef(0);
  shown.current = loaded.key === key ? loaded.images.length : 0;

  /** Loads `want` more images after those of `base`, a page at a time, for the images as they are at `atRevision`. */
  const load = useCallback(
    async (base: Image[], want: number, atRevision: number) => {
      inFlight.current?.abort();
      const controller = new AbortController();
      inFlight.current = controller;
      setLoading(true);
      setError(null);
      let images = base;
      let hasMore = true;
      try {
        while (hasMore && images.length < base.length + want) {
          const page = await listImages(api, projectId, filter, images.length, PAGE_SIZE, controller.signal);
          images = [...images, ...page];
          hasMore = page.length === PAGE_SIZE;
        }
        if (!controller.signal.aborted) setLoaded({ key, revision: atRevision, images, hasMore });
      } catch (e) {
        if (controller.signal.aborted) return;
        setError(e);
        // Settled, with the error shown: what was loaded stays (a failed "Load more" can be retried).
        setLoaded((previous) => (previous.key === key ? { ...previous, revision: atRevision } : { key, revision: atRevision, images: [], hasMore: false }));
      } finally {
        if (!controller.signal.aborted) setLoading(false);
      }
    },
    // `key` stands for the filter's content.
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [api, projectId, key],
  );

  const lastKey = useRef('');
  useEffect(() => {
    const sameFilter = lastKey.current === key;
    lastKey.current = key;
    void load([], sameFilter ? Math.max(PAGE_SIZE, shown.current) : PAGE_SIZE, revision);
    return () => inFlight.current?.abort();
  }, [load, key, revision]);

  const current = loaded.key === key ? loaded : { images: [], hasMore: false, revision: -1 };
  // Loading from the very render that changes the filter or the revision, so no one takes the old images for the new.
  const busy = loading || current.revision !== revision;
  const hasMore = current.hasMore && (total === undefined || current.images.length < total);
  const loadMore = useCallback(() => {
    if (!busy && hasMore) void load(current.images, PAGE_SIZE, revision);
  }, [load, busy, hasMore, current.images, revision]);

  return { images: current.images, hasMore, loading: busy, error, loadMore };
}
