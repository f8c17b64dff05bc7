/**
 * @module The smart labeler's predictions for stored images: an iteration's head run on an image's
 * stored bytes, computed once per (iteration, image hash) and kept in the suggestions table. They
 * are not stored predictions (those are what clients asked to keep). Each is stored as soon as it
 * is computed, so a first query over thousands of images that a client gave up on is not lost.
 */
import type { IterationRecord, SuggestionRecord } from '../store/repositories';
import type { SharedStore } from './context';
import { LIMITS } from './limits';
import type { Predictor } from './predictor';

export type Suggestion = SuggestionRecord;

/** Iterations per project whose suggestions are kept (those that computed some most recently). */
const KEPT_ITERATIONS = 3;
/** Images classified at once: enough to keep every inference worker busy and let the pool batch. */
const IN_FLIGHT = 6;

export class SuggestionCache {
  /** Computations under way, so concurrent requests for one image share one forward pass. */
  private readonly pending = new Map<string, Promise<Suggestion>>();

  constructor(
    private readonly store: SharedStore,
    private readonly predictor: Predictor,
  ) {}

  /** The iteration's suggestion for each hash, in order; the missing ones are computed a few at a time. */
  async forHashes(iteration: IterationRecord, hashes: readonly string[]): Promise<Suggestion[]> {
    const known = this.store.suggestions.forHashes(iteration.id, hashes);
    const missing = [...new Set(hashes.filter((h) => !known.has(h)))];
    if (missing.length) {
      let next = 0;
      const drain = async () => {
        while (next < missing.length) {
          const hash = missing[next++];
          known.set(hash, await this.compute(iteration, hash));
        }
      };
      await Promise.all(Array.from({ length: Math.min(IN_FLIGHT, missing.length) }, drain));
      this.store.suggestions.prune(iteration.projectId, KEPT_ITERATIONS);
    }
    return hashes.map((h) => known.get(h)!);
  }

  private compute(iteration: IterationRecord, hash: string): Promise<Suggestion> {
    const key = `${iteration.id}/${hash}`;
    let pending = this.pending.get(key);
    if (!pending) {
      pending = (async () => {
        const bytes = await this.store.blobs.get(hash);
        const { predictions, created } = await this.predictor.classify(iteration, bytes, { maxBytes: LIMITS.trainingImageBytes, store: false });
        this.store.suggestions.put(iteration.id, hash, { predictions, created });
        return { predictions, created };
      })().finally(() => this.pending.delete(key));
      this.pending.set(key, pending);
    }
    return pending;
  }
}
