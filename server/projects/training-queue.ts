/** @module Hands iterations to the trainer one at a time and records the outcome: Completed with its model, or Failed with a reason. */
import { DEFAULT_TRAINING_CONFIG } from '../ml/config';
import type { TrainingJob, TrainingResult } from '../ml/pipeline';
import { now, type Store } from './context';
import { readSnapshot } from './snapshots';

export interface Trainer {
  train(job: TrainingJob): Promise<TrainingResult>;
  close(): Promise<void>;
}

export class TrainingQueue {
  private chain: Promise<void> = Promise.resolve();
  private closed = false;

  constructor(
    private readonly store: Store,
    private readonly trainer: Trainer,
    private readonly log: (line: string) => void,
  ) {}

  /** Queues an iteration whose status is Training. */
  enqueue(iterationId: string): void {
    this.chain = this.chain.then(() => this.run(iterationId));
  }

  /**
   * After a crash or kill, iterations recorded as Training have no job running: train them
   * again from their recorded snapshot (features already extracted come from the cache).
   */
  resumeInterrupted(): number {
    const ids = this.store.trainingRuns.inProgress();
    ids.forEach((id) => this.enqueue(id));
    return ids.length;
  }

  /** Resolves when every queued job has finished. */
  idle(): Promise<void> {
    return this.chain;
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.trainer.close();
  }

  private async run(iterationId: string): Promise<void> {
    const iteration = this.store.iterations.byId(iterationId);
    if (!iteration || iteration.status !== 'Training' || this.closed) return;
    const snapshot = readSnapshot(this.store, iterationId);
    const tagIndex = new Map(snapshot.tags.map((t, i) => [t.id, i]));
    const job: TrainingJob = {
      type: iteration.classificationType,
      classes: snapshot.tags.length,
      samples: snapshot.images.map((image) => ({ hash: image.hash, labels: image.tagIds.map((t) => tagIndex.get(t) as number) })),
    };
    const started = Date.now();
    const startedAt = now();
    try {
      const result = await this.trainer.train(job);
      if (this.closed) return; // shutting down: the iteration stays Training and resumes at the next start
      this.complete(iterationId, snapshot.images.map((i) => i.imageId), result, { startedAt, elapsedMs: Date.now() - started });
      const t = result.timings;
      this.log(
        `${now()} iteration ${iterationId} Completed in ${Date.now() - started} ms: ${job.samples.length} images (${t.embeddedImages} through the backbone, ${t.cachedImages} cached) in ${t.featureMs.toFixed(0)} ms, head and cross-validation ${t.fitMs.toFixed(0)} ms, lambda ${result.model.lambda}`,
      );
    } catch (error) {
      if (this.closed) return;
      const reason = error instanceof Error ? error.message : String(error);
      this.store.trainingRuns.recordFailure(iterationId, `Training failed: ${reason}`, now());
      this.log(`${now()} iteration ${iterationId} Failed: ${reason}`);
    }
  }

  /** Records the result; an iteration deleted (or its project) while it trained records nothing. */
  private complete(iterationId: string, imageIds: string[], result: TrainingResult, run: { startedAt: string; elapsedMs: number }): void {
    const { model } = result;
    this.store.trainingRuns.recordCompletion(iterationId, {
      model,
      heldOut: imageIds.map((imageId, i) => ({ imageId, fold: result.foldOf[i], probabilities: result.heldOut[i] })),
      trainedAt: now(),
      elapsedMs: run.elapsedMs,
      // Already measured by the run: recording it costs nothing (GetArtifact's training summary).
      details: { startedAt: run.startedAt, timings: result.timings, lambda: model.lambda, backbone: model.backbone, featureDim: model.dim, config: DEFAULT_TRAINING_CONFIG },
    });
  }
}
