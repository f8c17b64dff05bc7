/** @module A second thread for cross-validation folds: the training worker fits half of the folds, this one the other half. */
import type { FoldFit, RemoteFolds, TrainingSample, TrainOptions } from './crossval';
import { WorkerClient } from './workers';

export interface FoldRequest {
  samples: TrainingSample[];
  labels: number[][];
  options: TrainOptions;
  folds: number[];
}

export class FoldRunner {
  // Idle between trainings: it must not keep the process alive.
  private readonly client = new WorkerClient<FoldRequest, FoldFit[]>('fold-worker', undefined, true);

  /** The RemoteFolds function for one training. */
  forTraining(samples: TrainingSample[], labels: number[][], options: TrainOptions): RemoteFolds {
    return (folds) => this.client.request({ samples, labels, options, folds });
  }

  close(): Promise<void> {
    return this.client.close();
  }
}
