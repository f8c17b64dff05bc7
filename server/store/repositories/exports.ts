/** @module The exports table: every statement on it, its rows read as ExportRecord. */
import type { Db } from '../db';

export type ExportStatus = 'Exporting' | 'Done' | 'Failed';

export interface ExportRecord {
  id: string;
  iterationId: string;
  platform: string;
  flavor: string | null;
  status: ExportStatus;
  /** The unguessable part of the download link; also names the package file. */
  token: string;
  error: string | null;
  created: string;
  lastModified: string;
}

/** Columns under their record names. */
const SELECT_EXPORTS = 'SELECT id, iteration_id AS iterationId, platform, flavor, status, token, error, created, last_modified AS lastModified FROM exports';

export class ExportRepository {
  constructor(private readonly db: Db) {}

  /** The iteration's exports, oldest first. */
  ofIteration(iterationId: string): ExportRecord[] {
    return this.db.prepare<[string], ExportRecord>(`${SELECT_EXPORTS} WHERE iteration_id = ? ORDER BY created, rowid`).all(iterationId);
  }

  /** The export of this platform and flavor that has not failed (Exporting or Done), if any. */
  current(iterationId: string, platform: string, flavor: string | null): ExportRecord | undefined {
    return this.db
      .prepare<[string, string, string | null], ExportRecord>(`${SELECT_EXPORTS} WHERE iteration_id = ? AND platform = ? AND flavor IS ? AND status != 'Failed'`)
      .get(iterationId, platform, flavor);
  }

  withStatus(status: ExportStatus): ExportRecord[] {
    return this.db.prepare<[string], ExportRecord>(`${SELECT_EXPORTS} WHERE status = ? ORDER BY created, rowid`).all(status);
  }

  doneByToken(token: string): ExportRecord | undefined {
    return this.db.prepare<[string], ExportRecord>(`${SELECT_EXPORTS} WHERE token = ? AND status = 'Done'`).get(token);
  }

  tokens(): string[] {
    return this.db.prepare<[], { token: string }>('SELECT token FROM exports').all().map((r) => r.token);
  }

  insert(record: ExportRecord): void {
    this.db
      .prepare(
        `INSERT INTO exports (id, iteration_id, platform, flavor, status, token, error, created, last_modified)
         VALUES (@id, @iterationId, @platform, @flavor, @status, @token, @error, @created, @lastModified)`,
      )
      .run(record);
  }

  deleteFailed(iterationId: string, platform: string, flavor: string | null): void {
    this.db.prepare("DELETE FROM exports WHERE iteration_id = ? AND platform = ? AND flavor IS ? AND status = 'Failed'").run(iterationId, platform, flavor);
  }

  setStatus(id: string, status: ExportStatus, error: string | null, at: string): void {
    this.db.prepare('UPDATE exports SET status = ?, error = ?, last_modified = ? WHERE id = ?').run(status, error, at, id);
  }

  /** Moves every export in one status to another, with the reason; e.g. builds a stop cut short. */
  setAllStatus(from: ExportStatus, to: ExportStatus, error: string | null, at: string): void {
    this.db.prepare('UPDATE exports SET status = ?, error = ?, last_modified = ? WHERE status = ?').run(to, error, at, from);
  }
}
