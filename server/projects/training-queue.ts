/** @module Hands iterations to the trainer one at a time and records the outcome: Completed with its model, or Failed with a reason. */
import type { TrainingJob, TrainingResult } from '../ml/pipeline';
import { now, type Store } from './context';
import { ITERATION_COLUMNS, readSnapshot, type IterationRow } from './iterations';

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
    const rows = this.store.db.prepare<[], { id: string }>("SELECT id FROM iterations WHERE status = 'Training' ORDER BY created").all();
    rows.forEach((r) => this.enqueue(r.id));
    return rows.length;
  }

  /** Resolves when every queued job has finished. */
  idle(): Promise<void> {
    return this.chain;
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.trainer.close();
  }

  private iteration(iterationId: string): IterationRow | undefined {
    return this.store.db.prepare<[string], IterationRow>(`SELECT ${ITERATION_COLUMNS} FROM iterations WHERE id = ?`).get(iterationId);
  }

  private async run(iterationId: string): Promise<void> {
    const row = this.iteration(iterationId);
    if (!row || row.status !== 'Training' || this.closed) return;
    const snapshot = readSnapshot(this.store, iterationId);
    const tagIndex = new Map(snapshot.tags.map((t, i) => [t.id, i]));
    const job: TrainingJob = {
      type: row.classification_type,
      classes: snapshot.tags.length,
      samples: snapshot.images.map((image) => ({ hash: image.hash, labels: image.tagIds.map((t) => tagIndex.get(t) as number) })),
    };
    const started = Date.now();
    try {
      const result = await this.trainer.train(job);
      if (this.closed) return; // shutting down: the iteration stays Training and resumes at the next start
      this.complete(iterationId, snapshot.images.map((i) => i.imageId), result, Date.now() - started);
      const t = result.timings;
      this.log(
        `${now()} iteration ${iterationId} Completed in ${Date.now() - started} ms: ${job.samples.length} images (${t.embeddedImages} through the backbone, ${t.cachedImages} cached) in ${t.featureMs.toFixed(0)} ms, head and cross-validation ${t.fitMs.toFixed(0)} ms, lambda ${result.model.lambda}`,
      );
    } catch (error) {
      if (this.closed) return;
      const reason = error instanceof Error ? error.message : String(error);
      this.store.db
        .prepare("UPDATE iterations SET status = 'Failed', training_error = ?, last_modified = ? WHERE id = ? AND status = 'Training'")
        .run(`Training failed: ${reason}`, now(), iterationId);
      this.log(`${now()} iteration ${iterationId} Failed: ${reason}`);
    }
  }

  private complete(iterationId: string, imageIds: string[], result: TrainingResult, elapsedMs: number): void {
    const setImage = this.store.db.prepare('UPDATE iteration_images SET fold = ?, held_out = ? WHERE iteration_id = ? AND image_id = ?');
    this.store.db.transaction(() => {
      // The iteration may have been deleted (or its project) while it trained: then there is nothing to record.
      if (!this.iteration(iterationId)) return;
      imageIds.forEach((imageId, i) => setImage.run(result.foldOf[i], JSON.stringify(result.heldOut[i]), iterationId, imageId));
      const stamp = now();
      this.store.db
        .prepare(
          "UPDATE iterations SET status = 'Completed', model = ?, trained_at = ?, last_modified = ?, training_time_ms = ?, training_error = NULL WHERE id = ?",
        )
        .run(JSON.stringify(result.model), stamp, stamp, elapsedMs, iterationId);
    })();
  }
}
