/** @module Worker thread entry: fits cross-validation folds it is sent, so the training worker can fit others meanwhile. */
import { parentPort } from 'node:worker_threads';
import { fitFold } from './crossval';
import type { FoldRequest } from './fold-runner';

parentPort?.on('message', (request: FoldRequest & { id: number }) => {
  try {
    const result = request.folds.map((fold) => fitFold(request.samples, request.labels, request.options, fold));
    parentPort?.postMessage({ id: request.id, result });
  } catch (error) {
    parentPort?.postMessage({ id: request.id, error: error instanceof Error ? error.message : String(error) });
  }
});
