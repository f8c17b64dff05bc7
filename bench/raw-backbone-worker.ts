/** @module Bench worker: one backbone session running forward passes on a prepared tensor until a deadline. */
import { workerData } from 'node:worker_threads';
import { Backbone } from '../server/ml/backbone';
import { serveRequests } from '../server/ml/workers';

export interface RawWorkerData {
  modelPath: string;
  threads: number;
  batch: number;
  tensor: Float32Array;
}

/** Without `until`: load and warm up. With it: images per second of back-to-back runs until then (ms since epoch). */
export interface RawRequest {
  until?: number;
}

const { modelPath, threads, batch, tensor } = workerData as RawWorkerData;
const tensors = Array.from({ length: batch }, () => tensor);
const ready = Backbone.load(modelPath, { threads, batchSize: batch }).then(async (backbone) => {
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
