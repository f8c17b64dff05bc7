/** @module The lab's dataset as tests need it: file paths per class, read from the provisioned assets. */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { datasetDir } from '../../datasets/paths';

export const CLASSES = ['Barren', 'Cultivated', 'Developed'] as const;

export function imageFiles(split: 'train' | 'test', folder: string): string[] {
  const dir = path.join(datasetDir(), split, folder);
  return readdirSync(dir)
    .filter((f) => f.endsWith('.png'))
    .sort()
    .map((f) => path.join(dir, f));
}

export function readImage(file: string): Buffer {
  return readFileSync(file);
}
