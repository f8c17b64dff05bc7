/** @module The lab's dataset on disk: the images of each tag, for training and for testing. */
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { PROJECT_ROOT } from './config';

export const TAGS = ['Barren', 'Cultivated', 'Developed'] as const;
export type LabTag = (typeof TAGS)[number];

/** Where `npm run setup` put the dataset ($CVLAB_ASSETS_DIR, else .assets). */
export function datasetRoot(): string {
  const assets = process.env.CVLAB_ASSETS_DIR ? path.resolve(PROJECT_ROOT, process.env.CVLAB_ASSETS_DIR) : path.join(PROJECT_ROOT, '.assets');
  const root = path.join(assets, 'datasets', 'aerial-small');
  if (!existsSync(root)) throw new Error(`The dataset is missing at ${root}: run \`npm run setup\` first.`);
  return root;
}

/** Image files of a folder of the dataset, e.g. ('train', 'Barren') or ('train', 'Developed-SecondBatch'), sorted. */
export function imagesOf(split: 'train' | 'test', folder: string): string[] {
  const dir = path.join(datasetRoot(), split, folder);
  return readdirSync(dir)
    .filter((f) => /\.(png|jpe?g|gif|bmp)$/i.test(f))
    .sort((a, b) => a.localeCompare(b, undefined, { numeric: true }))
    .map((f) => path.join(dir, f));
}

/** Every test image with its true tag. */
export function testImages(): { file: string; tag: LabTag }[] {
  return TAGS.flatMap((tag) => imagesOf('test', tag).map((file) => ({ file, tag })));
}
