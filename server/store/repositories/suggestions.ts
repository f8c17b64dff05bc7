/** @module The suggestions table: the smart labeler's predictions per (iteration, image hash), kept so they are computed once. */
import type { Db } from '../db';
import type { TagScore } from './predictions';

export interface SuggestionRecord {
  /** Every tag of the iteration, most probable first. */
  predictions: TagScore[];
  created: string;
}

export class SuggestionRepository {
  constructor(private readonly db: Db) {}

  /** The iteration's stored suggestions for these hashes (those it has). */
  forHashes(iterationId: string, hashes: readonly string[]): Map<string, SuggestionRecord> {
    const rows = this.db
      .prepare<[string, string], { hash: string; created: string; predictions: string }>(
        'SELECT hash, created, predictions FROM suggestions WHERE iteration_id = ? AND hash IN (SELECT value FROM json_each(?))',
      )
      .all(iterationId, JSON.stringify(hashes));
    return new Map(rows.map((r) => [r.hash, { created: r.created, predictions: JSON.parse(r.predictions) as TagScore[] }]));
  }

  /** Stores a suggestion, unless its iteration was deleted meanwhile. */
  put(iterationId: string, hash: string, suggestion: SuggestionRecord): void {
    this.db
      .prepare(
        `INSERT OR REPLACE INTO suggestions (iteration_id, hash, created, predictions)
         SELECT @iterationId, @hash, @created, @predictions WHERE EXISTS (SELECT 1 FROM iterations WHERE id = @iterationId)`,
      )
      .run({ iterationId, hash, created: suggestion.created, predictions: JSON.stringify(suggestion.predictions) });
  }

  /**
   * Keeps the project's suggestions bounded: those of the `keep` iterations that computed some
   * most recently, and only for images still in the project. (An iteration's rows go with it: cascade.)
   */
  prune(projectId: string, keep: number): void {
    this.db
      .prepare(
        `DELETE FROM suggestions WHERE iteration_id IN (
           SELECT i.id FROM iterations i
           WHERE i.project_id = @projectId AND EXISTS (SELECT 1 FROM suggestions s WHERE s.iteration_id = i.id)
           ORDER BY (SELECT MAX(s.created) FROM suggestions s WHERE s.iteration_id = i.id) DESC LIMIT -1 OFFSET @keep)
         OR (iteration_id IN (SELECT id FROM iterations WHERE project_id = @projectId)
             AND hash NOT IN (SELECT hash FROM images WHERE project_id = @projectId))`,
      )
      .run({ projectId, keep });
  }
}
