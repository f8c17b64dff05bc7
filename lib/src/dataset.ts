/** @module The lab's dataset on disk: the images of each tag, for training and for testing. */
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { datasetDir } from './shared';

/** The lab's tags, one per land-use class. */
export const TAGS = ['Barren', 'Cultivated', 'Developed'] as const;
/** One of the lab's tags. */
export type LabTag = (typeof TAGS)[number];

/** Where `npm run setup` put the dataset ($CVLAB_ASSETS_DIR, else .assets). */
export function datasetRoot(): string {
  const root = datasetDir();
  if (!existsSync(root)) throw new Error(`The dataset is missing at ${root}: run \`npm run setup\` first.`);
  return root;
}

function imagesOf(split: 'train' | 'test', folder: string): string[] {
  const dir = path.join(datasetRoot(), split, folder);
  return readdirSync(dir)
    .filter((f) => /\.(png|jpe?g|gif|bmp)$/i.test(f))
    .sort((a, b) => a.localeCompare(b, undefined, { numeric: true }))
    .map((f) => path.join(dir, f));
}

/** The training images of a folder, sorted: a tag ('Barren', ...) or 'Developed-SecondBatch'. */
export function trainingImages(folder: string): string[] {
  return imagesOf('train', folder);
}

/** The 30 test images (from other regions than the training images), each with its true tag. */
export function testImages(): { file: string; tag: LabTag }[] {
  return TAGS.flatMap((tag) => imagesOf('test', tag).map((file) => ({ file, tag })));
}
