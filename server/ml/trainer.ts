/** @module Runs training jobs in a worker thread, so the HTTP event loop stays responsive while a model trains. */
import type { Worker } from 'node:worker_threads';
import type { TrainingJob, TrainingResult } from './pipeline';
import { spawnWorker } from './workers';

export interface TrainerPaths {
  modelPath: string;
  databasePath: string;
  blobRoot: string;
}

type WorkerReply = { id: number; result?: TrainingResult; error?: string };

/**
 * One long-lived worker holding the backbone session; jobs run one at a time (two cores: a
 * second concurrent training would only slow both). A crashed worker fails its job and is
 * replaced on the next one.
 */
export class WorkerTrainer {
  private worker?: Worker;
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (r: TrainingResult) => void; reject: (e: Error) => void }>();

  constructor(private readonly paths: TrainerPaths) {}

  private spawn(): Worker {
    const worker = spawnWorker('train-worker', this.paths);
    worker.on('message', (reply: WorkerReply) => {
      const waiter = this.pending.get(reply.id);
      if (!waiter) return;
      this.pending.delete(reply.id);
      if (reply.result) waiter.resolve(reply.result);
      else waiter.reject(new Error(reply.error ?? 'training failed'));
    });
    const fail = (error: Error) => {
      for (const waiter of this.pending.values()) waiter.reject(error);
      this.pending.clear();
      if (this.worker === worker) this.worker = undefined;
    };
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`the training worker exited (code ${code})`)));
    return worker;
  }

  train(job: TrainingJob): Promise<TrainingResult> {
    this.worker ??= this.spawn();
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker?.postMessage({ id, job });
    });
  }

  async close(): Promise<void> {
    const worker = this.worker;
    this.worker = undefined;
    if (worker) await worker.terminate();
  }
}
