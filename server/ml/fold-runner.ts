/** @module A second thread for cross-validation folds: the training worker fits half of the folds, this one the other half. */
import type { Worker } from 'node:worker_threads';
import type { FoldFit, RemoteFolds, TrainingSample, TrainOptions } from './crossval';
import { spawnWorker } from './workers';

export class FoldRunner {
  private worker?: Worker;
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (fits: FoldFit[]) => void; reject: (e: Error) => void }>();

  private start(): Worker {
    const worker = spawnWorker('fold-worker', undefined);
    worker.on('message', (reply: { id: number; fits?: FoldFit[]; error?: string }) => {
      const waiter = this.pending.get(reply.id);
      this.pending.delete(reply.id);
      if (reply.fits) waiter?.resolve(reply.fits);
      else waiter?.reject(new Error(reply.error ?? 'fold fitting failed'));
    });
    const fail = (error: Error) => {
      for (const waiter of this.pending.values()) waiter.reject(error);
      this.pending.clear();
      if (this.worker === worker) this.worker = undefined;
    };
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`the fold worker exited (code ${code})`)));
    // Idle between trainings: do not keep the process alive for it.
    worker.unref();
    return worker;
  }

  /** The RemoteFolds function for one training. */
  forTraining(samples: TrainingSample[], labels: number[][], options: TrainOptions): RemoteFolds {
    return (folds) => {
      this.worker ??= this.start();
      const id = this.nextId++;
      return new Promise((resolve, reject) => {
        this.pending.set(id, { resolve, reject });
        this.worker?.postMessage({ id, samples, labels, options, folds });
      });
    };
  }

  async close(): Promise<void> {
    await this.worker?.terminate();
  }
}
