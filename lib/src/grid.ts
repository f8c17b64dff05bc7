/**
 * @module Image grids with captions, as inline HTML with the images embedded (the saved notebook
 * works offline): test images with their predictions, training images under review.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { TrainingAPIModels } from '@azure/cognitiveservices-customvision-training';
import fetch from 'node-fetch';
import sharp from 'sharp';
import { escapeHtml, showHtml } from './display';

/** One image of a grid and its caption. */
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

/** A tag's probability as the SDKs give it (quick tests and the Prediction API alike). */
interface TagProbability {
  tagName?: string;
  probability?: number;
}

/**
 * A test image, its true tag, and the service's answer for it: what `quickTestImage`, `classifyImage`
 * or `classifyImageWithNoStore` returned (its predictions come most probable first).
 */
export interface TestResult {
  file: string;
  tag: string;
  answer: { predictions?: TagProbability[] };
}

/** A fraction as a percentage with one decimal, or a dash when there is none. */
export const percent = (x: number | null | undefined): string => (x === null || x === undefined ? '—' : `${(x * 100).toFixed(1)}%`);

/** The most probable tag of an answer. */
export function topPrediction(answer: TestResult['answer']): TagProbability | undefined {
  return [...(answer.predictions ?? [])].sort((a, b) => (b.probability ?? 0) - (a.probability ?? 0))[0];
}

/** How many of the results have the true tag as their most probable tag. */
export function countRight(results: TestResult[]): number {
  return results.filter((r) => topPrediction(r.answer)?.tagName === r.tag).length;
}

/**
 * Shows test images in a grid, each titled with its file name and the most probable tag with its
 * probability, framed green when that is the true tag and red when not; prints how many are right.
 */
export async function showTestResults(results: TestResult[]): Promise<void> {
  const items = results.map(({ file, tag, answer }) => {
    const top = topPrediction(answer);
    return { source: file, caption: `${path.basename(file)}\n${top?.tagName ?? '?'} ${percent(top?.probability)}`, correct: top?.tagName === tag };
  });
  showHtml(await imageGridHtml(items, { columns: 10, size: 80 }));
  console.log(`${countRight(results)}/${results.length} test images predicted right`);
}

/**
 * Shows training images from `getImagePerformances` in a grid (their thumbnails, as the service
 * serves them), each titled with its tag and the held-out prediction; prints how many there are.
 */
export async function showSuspects(images: TrainingAPIModels.ImagePerformance[]): Promise<void> {
  if (images.length > 0) {
    const items = images.map((image) => {
      const top = topPrediction(image);
      const tagged = (image.tags ?? []).map((t) => t.tagName).join(', ');
      return { source: image.thumbnailUri ?? image.imageUri ?? '', caption: `tagged ${tagged}\nlooks ${top?.tagName} ${percent(top?.probability)}` };
    });
    showHtml(await imageGridHtml(items, { columns: 6 }));
  }
  console.log(`${images.length} image(s) look mislabelled.`);
}
