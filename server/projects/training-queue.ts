/**
 * @module Hands iterations to the trainer, taking the resources in turn (round-robin), and records
 * each outcome: Completed with its model, or Failed with a reason.
 */
import { DEFAULT_TRAINING_CONFIG } from '../ml/config';
import type { TrainingJob, TrainingResult } from '../ml/pipeline';
import { now, type SharedStore } from './context';
import { readSnapshot } from './snapshots';

export interface Trainer {
  train(job: TrainingJob): Promise<TrainingResult>;
  close(): Promise<void>;
}

export interface TrainingQueueOptions {
  /** Trainings run at the same time; the worker trainer runs one at a time, so more would only wait there. */
  concurrency?: number;
}

/** "1st", "2nd", "3rd", "11th", "22nd". */
function ordinal(n: number): string {
  const tens = n % 100;
  const suffix = tens >= 11 && tens <= 13 ? 'th' : ({ 1: 'st', 2: 'nd', 3: 'rd' } as Record<number, string>)[n % 10] ?? 'th';
  return `${n}${suffix}`;
}

/** The resource whose turn it is: of those waiting, the one whose last training started longest ago; never beats any, ties go to the first to wait. */
function nextOwner(waiting: Map<string, string[]>, lastStart: Map<string, number>): string {
  let best: string | undefined;
  for (const owner of waiting.keys()) {
    if (best === undefined || (lastStart.get(owner) ?? -1) < (lastStart.get(best) ?? -1)) best = owner;
  }
  return best as string;
}

/**
 * Trainings wait per resource, first come first served within a resource, and the resources take
 * turns: the next training to start is the first waiting one of the resource whose last training
 * started longest ago (never, first). So a student who queues ten trainings delays each other
 * student by one training at most, not ten. A queued iteration stays `Training`, as on Azure.
 */
export class TrainingQueue {
  /** Waiting iterations per resource, resources in the order they began waiting. */
  private readonly waiting = new Map<string, string[]>();
  /** When each resource's last training started, as a count of starts: the lowest goes next. */
  private readonly lastStart = new Map<string, number>();
  private starts = 0;
  private readonly running = new Map<string, string>();
  private readonly queuedAt = new Map<string, number>();
  private idleWaiters: (() => void)[] = [];
  private closed = false;
  private readonly concurrency: number;

  constructor(
    private readonly store: SharedStore,
    private readonly trainer: Trainer,
    private readonly log: (line: string) => void,
    options: TrainingQueueOptions = {},
  ) {
    this.concurrency = Math.max(1, options.concurrency ?? 1);
  }

  /** Queues an iteration whose status is Training, for the resource that owns it. */
  enqueue(iterationId: string, owner: string): void {
    if (this.closed || this.running.has(iterationId) || [...this.waiting.values()].some((ids) => ids.includes(iterationId))) return;
    const ids = this.waiting.get(owner) ?? [];
    ids.push(iterationId);
    if (!this.waiting.has(owner)) this.waiting.set(owner, ids);
    this.queuedAt.set(iterationId, Date.now());
    const ahead = this.ahead(iterationId);
    if (ahead.length > 0 || this.running.size >= this.concurrency) {
      this.log(`${now()} iteration ${iterationId} (${owner}) queued: ${this.describePlace(ahead)}`);
    }
    this.pump();
  }

  /**
   * After a crash or kill, iterations recorded as Training have no job running: train them
   * again from their recorded snapshot (features already extracted come from the cache), each
   * for the resource that owns its project, so they take turns as they did before.
   */
  resumeInterrupted(): number {
    let resumed = 0;
    for (const id of this.store.trainingRuns.inProgress()) {
      const owner = this.store.iterations.ownerOf(id);
      if (owner === undefined) continue; // deleted with its project meanwhile: nothing to train
      this.enqueue(id, owner);
      resumed++;
    }
    return resumed;
  }

  /** The owners of the trainings that start before this waiting iteration, in the order they start. */
  ahead(iterationId: string): string[] {
    const waiting = new Map([...this.waiting].map(([owner, ids]) => [owner, [...ids]]));
    const lastStart = new Map(this.lastStart);
    const order: string[] = [];
    for (let start = this.starts; waiting.size > 0; start++) {
      const owner = nextOwner(waiting, lastStart);
      const ids = waiting.get(owner) as string[];
      if (ids.shift() === iterationId) return order;
      if (ids.length === 0) waiting.delete(owner);
      lastStart.set(owner, start);
      order.push(owner);
    }
    return order;
  }

  /** How many trainings are waiting and running. */
  size(): { waiting: number; running: number } {
    let waiting = 0;
    for (const ids of this.waiting.values()) waiting += ids.length;
    return { waiting, running: this.running.size };
  }

  /** Resolves when every queued job has finished. */
  idle(): Promise<void> {
    if (this.running.size === 0 && this.waiting.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  async close(): Promise<void> {
    this.closed = true;
    this.waiting.clear();
    await this.trainer.close();
  }

  /** "3rd, behind student-04 (training), student-07" */
  private describePlace(ahead: string[]): string {
    const training = [...this.running.values()].map((owner) => `${owner} (training)`);
    const names = [...training, ...ahead];
    const shown = names.length > 8 ? `${names.slice(0, 8).join(', ')} and ${names.length - 8} more` : names.join(', ');
    return `${ordinal(names.length + 1)} in line, behind ${shown}`;
  }

  /** Starts waiting trainings while a slot is free, taking the resources in turn. */
  private pump(): void {
    while (!this.closed && this.running.size < this.concurrency && this.waiting.size > 0) {
      const owner = nextOwner(this.waiting, this.lastStart);
      const ids = this.waiting.get(owner) as string[];
      const iterationId = ids.shift() as string;
      if (ids.length === 0) this.waiting.delete(owner);
      this.lastStart.set(owner, this.starts++);
      this.running.set(iterationId, owner);
      void this.run(iterationId, owner).finally(() => {
        this.running.delete(iterationId);
        this.pump();
        if (this.running.size === 0 && this.waiting.size === 0) {
          const waiters = this.idleWaiters;
          this.idleWaiters = [];
          waiters.forEach((resolve) => resolve());
        }
      });
    }
  }

  private async run(iterationId: string, owner: string): Promise<void> {
    const waitedMs = Date.now() - (this.queuedAt.get(iterationId) ?? Date.now());
    this.queuedAt.delete(iterationId);
    try {
      const iteration = this.store.iterations.byId(iterationId);
      if (!iteration || iteration.status !== 'Training' || this.closed) return;
      this.log(`${now()} iteration ${iterationId} (${owner}) training after ${waitedMs} ms in the queue`);
      const snapshot = readSnapshot(this.store, iterationId);
      const tagIndex = new Map(snapshot.tags.map((t, i) => [t.id, i]));
      const job: TrainingJob = {
        type: iteration.classificationType,
        classes: snapshot.tags.length,
        samples: snapshot.images.map((image) => ({ hash: image.hash, labels: image.tagIds.map((t) => tagIndex.get(t) as number) })),
      };
      const started = Date.now();
      const startedAt = now();
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
