/** @module The lab's dataset as tests need it: file paths per class, read from the provisioned assets. */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { aidValidationDir, datasetDir } from '../../datasets/paths';

export const CLASSES = ['Barren', 'Cultivated', 'Developed'] as const;

function filesIn(dir: string, pattern: RegExp): string[] {
  return readdirSync(dir)
    .filter((f) => pattern.test(f))
    .sort()
    .map((f) => path.join(dir, f));
}

export function imageFiles(split: 'train' | 'test', folder: string): string[] {
  return filesIn(path.join(datasetDir(), split, folder), /\.png$/);
}

/** The AID tiles of a tag (another sensor and other countries): for measuring, never for training. */
export function aidFiles(tag: (typeof CLASSES)[number]): string[] {
  return filesIn(path.join(aidValidationDir(), tag), /\.jpg$/);
}

export function readImage(file: string): Buffer {
  return readFileSync(file);
}
