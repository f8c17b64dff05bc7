/** @module Worker thread entry: fits cross-validation folds it is sent, so the training worker can fit others meanwhile. */
import { parentPort } from 'node:worker_threads';
import { fitFold, type TrainingSample, type TrainOptions } from './crossval';

interface FoldRequest {
  id: number;
  samples: TrainingSample[];
  labels: number[][];
  options: TrainOptions;
  folds: number[];
}

parentPort?.on('message', (request: FoldRequest) => {
  try {
    const fits = request.folds.map((fold) => fitFold(request.samples, request.labels, request.options, fold));
    parentPort?.postMessage({ id: request.id, fits });
  } catch (error) {
    parentPort?.postMessage({ id: request.id, error: error instanceof Error ? error.message : String(error) });
  }
});
