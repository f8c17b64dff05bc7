/** @module The images the model comparison uses: the lab's training batches and test tiles, and the AID tiles from another sensor. */
import { readFileSync } from 'node:fs';
import { aidFiles, CLASSES, imageFiles } from '../../test/support/dataset';

export { CLASSES };

/** Where an image comes from: iteration 1's batch, Exercise 1's second batch, the 30 test tiles, or the 240 AID tiles. */
export type Split = 'first' | 'second' | 'test' | 'aid';

export interface Item {
  file: string;
  bytes: Buffer;
  /** Index into CLASSES. */
  label: number;
  split: Split;
}

const items = (files: string[], label: number, split: Split): Item[] => files.map((file) => ({ file, bytes: readFileSync(file), label, split }));

/** Every image, in a fixed order: first, second, test, aid. */
export function loadItems(): Item[] {
  return [
    ...CLASSES.flatMap((c, k) => items(imageFiles('train', c), k, 'first')),
    ...items(imageFiles('train', 'Developed-SecondBatch'), CLASSES.indexOf('Developed'), 'second'),
    ...CLASSES.flatMap((c, k) => items(imageFiles('test', c), k, 'test')),
    ...CLASSES.flatMap((c, k) => items(aidFiles(c), k, 'aid')),
  ];
}
