/** @module Worker thread entry: keeps the backbone loaded and trains the jobs it is sent. */
import { parentPort, workerData } from 'node:worker_threads';
import { BlobStore } from '../store/blobs';
import { openDatabase } from '../store/db';
import { FeatureCache } from '../store/feature-cache';
import { Backbone } from './backbone';
import { FoldRunner } from './fold-runner';
import { trainFromImages, type TrainingJob } from './pipeline';
import type { TrainerPaths } from './trainer';

const paths = workerData as TrainerPaths;
const backboneReady = Backbone.load(paths.modelPath);
const db = openDatabase(paths.databasePath);
const cache = new FeatureCache(db);
const blobs = new BlobStore(paths.blobRoot);
// Fitting runs while the backbone is idle: the second core fits half of the folds.
const folds = new FoldRunner();

parentPort?.on('message', async (message: { id: number; job: TrainingJob }) => {
  try {
    const backbone = await backboneReady;
    const result = await trainFromImages(message.job, {
      backbone,
      cache,
      readImage: (hash) => blobs.get(hash),
      remoteFolds: (samples, labels, options) => folds.forTraining(samples, labels, options),
    });
    parentPort?.postMessage({ id: message.id, result });
  } catch (error) {
    parentPort?.postMessage({ id: message.id, error: error instanceof Error ? error.message : String(error) });
  }
});
