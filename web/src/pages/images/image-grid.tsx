/** @module The grid of thumbnails, with "Load more" that also fires by itself when scrolled near (infinite scroll). */
import { useEffect, useRef } from 'preact/hooks';
import type { Image } from '../../api/types';
import { ImageTile } from './image-tile';
import { PAGE_SIZE } from './use-image-pages';

/** Start loading the next page this far before the button comes into view. */
const PRELOAD_MARGIN = '600px';

export function ImageGrid({
  images,
  selected,
  onToggle,
  hasMore,
  loading,
  onLoadMore,
  labelledBy,
}: {
  images: readonly Image[];
  selected: ReadonlySet<string>;
  onToggle: (id: string, on: boolean) => void;
  hasMore: boolean;
  loading: boolean;
  onLoadMore: () => void;
  labelledBy: string;
}) {
  const more = useRef<HTMLButtonElement>(null);
  const latestLoadMore = useRef(onLoadMore);
  latestLoadMore.current = onLoadMore;

  useEffect(() => {
    const button = more.current;
    if (!button || !hasMore) return;
    const observer = new IntersectionObserver((entries) => entries.some((e) => e.isIntersecting) && latestLoadMore.current(), { rootMargin: PRELOAD_MARGIN });
    observer.observe(button);
    return () => observer.disconnect();
  }, [hasMore, images.length]);

  return (
    <>
      <ul class="image-grid" aria-labelledby={labelledBy} aria-busy={loading}>
        {images.map((image, index) => (
          <ImageTile key={image.id} image={image} selected={selected.has(image.id)} eager={index < PAGE_SIZE} onToggle={onToggle} />
        ))}
      </ul>
      {hasMore && (
        <div class="load-more">
          <button type="button" ref={more} onClick={onLoadMore} disabled={loading}>
            {loading ? 'Loading…' : 'Load more'}
          </button>
        </div>
      )}
    </>
  );
}
