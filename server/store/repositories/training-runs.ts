/** @module The training queue's writes: an iteration's outcome (Completed with its head and held-out results, or Failed) on iterations and iteration_images. */
import type { Db } from '../db';

export interface TrainingOutcome {
  /** The head as the trainer made it; stored as JSON. */
  model: unknown;
  /** Per snapshot image (by id): its fold and held-out probabilities. */
  heldOut: { imageId: string; fold: number; probabilities: number[] }[];
  trainedAt: string;
  elapsedMs: number;
  /** What the run measured and was configured with (GetArtifact's training summary); stored as JSON. */
  details?: unknown;
}

export class TrainingRunRepository {
  constructor(private readonly db: Db) {}

  /** Ids of iterations recorded as Training, in any project, oldest first. */
  inProgress(): string[] {
    return this.db.prepare<[], { id: string }>("SELECT id FROM iterations WHERE status = 'Training' ORDER BY created").all().map((r) => r.id);
  }

  /**
   * Marks a Training iteration Completed with its results, all or nothing. False when the
   * iteration (or its project) was deleted while it trained: then nothing is recorded.
   */
  recordCompletion(iterationId: string, outcome: TrainingOutcome): boolean {
    const setImage = this.db.prepare('UPDATE iteration_images SET fold = ?, held_out = ? WHERE iteration_id = ? AND image_id = ?');
    return this.db.transaction(() => {
      const { changes } = this.db
        .prepare(
          "UPDATE iterations SET status = 'Completed', model = ?, trained_at = ?, last_modified = ?, training_time_ms = ?, training_error = NULL, training_details = ? WHERE id = ?",
        )
        .run(JSON.stringify(outcome.model), outcome.trainedAt, outcome.trainedAt, outcome.elapsedMs, JSON.stringify(outcome.details ?? null), iterationId);
      if (changes === 0) return false;
      for (const image of outcome.heldOut) setImage.run(image.fold, JSON.stringify(image.probabilities), iterationId, image.imageId);
      return true;
    })();
  }

  /** What a run recorded of itself (see TrainingOutcome.details); undefined for runs from before it was recorded. */
  details(iterationId: string): unknown {
    const row = this.db.prepare<[string], { details: string | null }>('SELECT training_details AS details FROM iterations WHERE id = ?').get(iterationId);
    return row?.details ? (JSON.parse(row.details) as unknown) : undefined;
  }

  /** Marks an iteration Failed with the reason, unless it stopped Training meanwhile. */
  recordFailure(iterationId: string, reason: string, at: string): void {
    this.db
      .prepare("UPDATE iterations SET status = 'Failed', training_error = ?, last_modified = ? WHERE id = ? AND status = 'Training'")
      .run(reason, at, iterationId);
  }
}
