/** @module Image grids with captions, as inline HTML with the images embedded (the saved notebook works offline). */
import { readFileSync } from 'node:fs';
import fetch from 'node-fetch';
import sharp from 'sharp';
import { escapeHtml } from './display';

export interface GridItem {
  /** A local file, or a URL (e.g. an image URI the service returned), or the bytes. */
  source: string | Buffer;
  caption: string;
  /** Green frame when true, red when false, none when undefined. */
  correct?: boolean;
}

async function bytesOf(source: string | Buffer): Promise<Buffer> {
  if (Buffer.isBuffer(source)) return source;
  if (/^https?:\/\//.test(source)) {
    const response = await fetch(source);
    if (!response.ok) throw new Error(`could not load ${source}: HTTP ${response.status}`);
    return Buffer.from(await response.arrayBuffer());
  }
  return readFileSync(source);
}

/** The grid's HTML: thumbnails of `size` px as JPEG data URIs, `columns` per row, captions below. */
export async function imageGridHtml(items: GridItem[], options: { columns?: number; size?: number } = {}): Promise<string> {
  const size = options.size ?? 128;
  const cells = await Promise.all(
    items.map(async (item) => {
      const thumbnail = await sharp(await bytesOf(item.source)).rotate().resize(size, size, { fit: 'cover' }).jpeg({ quality: 85 }).toBuffer();
      const border = item.correct === undefined ? '#ccc' : item.correct ? '#2a2' : '#d22';
      return (
        `<figure style="margin:4px;text-align:center;width:${size + 8}px">` +
        `<img src="data:image/jpeg;base64,${thumbnail.toString('base64')}" width="${size}" height="${size}" style="border:3px solid ${border}"/>` +
        `<figcaption style="font-size:11px;line-height:1.3">${item.caption.split('\n').map(escapeHtml).join('<br/>')}</figcaption></figure>`
      );
    }),
  );
  const columns = options.columns ?? 6;
  // Cells are the thumbnail plus 16 px of frame and margin; keep rows within a notebook's ~1000 px width.
  return `<div class="cvlab-grid" style="display:grid;grid-template-columns:repeat(${columns}, ${size + 16}px)">${cells.join('')}</div>`;
}
