/** @module Runs training jobs in a worker thread, so the HTTP event loop stays responsive while a model trains. */
import type { TrainingJob, TrainingResult } from './pipeline';
import { WorkerClient } from './workers';

export interface TrainerPaths {
  weightsDir: string;
  databasePath: string;
  blobRoot: string;
}

/**
 * One long-lived worker holding the backbone session; jobs run one at a time (two cores: a
 * second concurrent training would only slow both). A crashed worker fails its job and is
 * replaced on the next one.
 */
export class WorkerTrainer {
  private readonly client: WorkerClient<{ job: TrainingJob }, TrainingResult>;

  constructor(paths: TrainerPaths) {
    this.client = new WorkerClient('train-worker', paths);
  }

  train(job: TrainingJob): Promise<TrainingResult> {
    return this.client.request({ job });
  }

  close(): Promise<void> {
    return this.client.close();
  }
}
