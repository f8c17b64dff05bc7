/** @module One image of the grid: its thumbnail (alt text: its tags), a checkbox to select it, its tags as a caption. */
import { memo } from 'preact/compat';
import type { Image } from '../../api/types';

/** The service's thumbnails fit in a 128-pixel square. */
const THUMBNAIL_SIDE = 128;

function thumbnailSize(image: Image): { width: number; height: number } {
  const scale = THUMBNAIL_SIDE / Math.max(image.width, image.height, 1);
  return { width: Math.max(1, Math.round(image.width * scale)), height: Math.max(1, Math.round(image.height * scale)) };
}

export function tagNamesOf(image: Image): string {
  return image.tags?.length ? image.tags.map((t) => t.tagName).join(', ') : 'Untagged';
}

function ImageTileView({ image, selected, eager, onToggle }: { image: Image; selected: boolean; eager: boolean; onToggle: (id: string, on: boolean) => void }) {
  const tags = tagNamesOf(image);
  const { width, height } = thumbnailSize(image);
  return (
    <li class={selected ? 'image-tile selected' : 'image-tile'}>
      <label class="image-pick">
        <input type="checkbox" checked={selected} onChange={(e) => onToggle(image.id, e.currentTarget.checked)} />
        <span class="image-frame">
          {/* The first page loads at once (it is what the user looks at); the rest when scrolled near. */}
          <img src={image.thumbnailUri} alt={tags} width={width} height={height} loading={eager ? 'eager' : 'lazy'} decoding="async" />
        </span>
      </label>
      <span class="image-caption" title={tags}>
        {tags}
      </span>
    </li>
  );
}

/** Tiles re-render only when their own image or selection changes, so ticking one of 2,000 stays instant. */
export const ImageTile = memo(ImageTileView);
