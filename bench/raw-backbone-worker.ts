/** @module Bench worker: one backbone session running forward passes on one image's prepared view tensors until a deadline. */
import { workerData } from 'node:worker_threads';
import { Backbone } from '../server/ml/backbone';
import { serveRequests } from '../server/ml/workers';

export interface RawWorkerData {
  weightsDir: string;
  threads: number;
  /** Images per run (each with all its view tensors). */
  batch: number;
  /** One image's tensors: one per view the endpoint averages. */
  views: Float32Array[];
}

/** Without `until`: load and warm up. With it: images (all their views) per second of back-to-back runs until then (ms since epoch). */
export interface RawRequest {
  until?: number;
}

const { weightsDir, threads, batch, views } = workerData as RawWorkerData;
const tensors = Array.from({ length: batch }, () => views).flat();
const ready = Backbone.load(weightsDir, { threads, batchSize: tensors.length }).then(async (backbone) => {
  await backbone.embed(tensors);
  return backbone;
});

serveRequests<RawRequest, number>(
  async ({ until }) => {
    const backbone = await ready;
    if (until === undefined) return 0;
    let images = 0;
    const started = Date.now();
    while (Date.now() < until) {
      await backbone.embed(tensors);
      images += batch;
    }
    return images / ((Date.now() - started) / 1000);
  },
  async () => (await ready).close(),
);
