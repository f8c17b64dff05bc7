/** @module Worker thread entry: keeps the backbone loaded and trains the jobs it is sent. */
import { workerData } from 'node:worker_threads';
import { BlobStore } from '../store/blobs';
import { openDatabase } from '../store/db';
import { FeatureCache } from '../store/feature-cache';
import { Backbone } from './backbone';
import { FoldRunner } from './fold-runner';
import { trainFromImages, type TrainingJob, type TrainingResult } from './pipeline';
import type { TrainerPaths } from './trainer';
import { serveRequests } from './workers';

const paths = workerData as TrainerPaths;
const backboneReady = Backbone.load(paths.weightsDir);
const db = openDatabase(paths.databasePath);
const cache = new FeatureCache(db);
const blobs = new BlobStore(paths.blobRoot);
// Fitting runs while the backbone is idle: the second core fits half of the folds.
const folds = new FoldRunner();

serveRequests<{ job: TrainingJob }, TrainingResult>(
  async ({ job }) =>
    trainFromImages(job, {
      backbone: await backboneReady,
      cache,
      readImage: (hash) => blobs.get(hash),
      remoteFolds: (samples, labels, options) => folds.forTraining(samples, labels, options),
    }),
  async () => {
    // A job in progress fails at its next backbone or fold call; the queue resumes it on the next start.
    await (await backboneReady).close();
    await folds.close();
    db.close();
  },
);
