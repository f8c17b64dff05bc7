/** @module The project_transfers table: ExportProject's snapshots, found by the hash of their token. */
import type { Db } from '../db';
import type { ClassificationType } from './projects';
import type { TagType } from './tags';

/** A project as it was when exported: what ImportProject copies. */
export interface ProjectSnapshot {
  name: string;
  description: string | null;
  domainId: string;
  classificationType: ClassificationType;
  targetExportPlatforms: string[];
  tags: { id: string; name: string; description: string | null; type: TagType }[];
  images: { hash: string; format: string; width: number; height: number; created: string; metadata: Record<string, string> | null; tagIds: string[] }[];
}

export interface TransferRecord {
  projectId: string;
  created: string;
  expires: string;
  snapshot: ProjectSnapshot;
}

export class ProjectTransferRepository {
  constructor(private readonly db: Db) {}

  insert(tokenHash: string, record: TransferRecord): void {
    this.db
      .prepare('INSERT INTO project_transfers (token_hash, project_id, created, expires, payload) VALUES (?, ?, ?, ?, ?)')
      .run(tokenHash, record.projectId, record.created, record.expires, JSON.stringify(record.snapshot));
  }

  byTokenHash(tokenHash: string): TransferRecord | undefined {
    const row = this.db
      .prepare<[string], Omit<TransferRecord, 'snapshot'> & { payload: string }>(
        'SELECT project_id AS projectId, created, expires, payload FROM project_transfers WHERE token_hash = ?',
      )
      .get(tokenHash);
    return row && { projectId: row.projectId, created: row.created, expires: row.expires, snapshot: JSON.parse(row.payload) as ProjectSnapshot };
  }

  /** The project's images (tagged or not) with their tag ids, oldest first: what a snapshot copies. */
  imagesOf(projectId: string): ProjectSnapshot['images'] {
    return this.db
      .prepare<[string], Omit<ProjectSnapshot['images'][number], 'metadata' | 'tagIds'> & { metadata: string | null; tagIds: string }>(
        `SELECT i.hash, i.format, i.width, i.height, i.created, i.metadata,
         (SELECT json_group_array(tag_id) FROM (SELECT tag_id FROM image_tags WHERE image_id = i.id ORDER BY created, rowid)) AS tagIds
         FROM images i WHERE i.project_id = ? ORDER BY i.created, i.rowid`,
      )
      .all(projectId)
      .map((row) => ({ ...row, metadata: row.metadata ? (JSON.parse(row.metadata) as Record<string, string>) : null, tagIds: JSON.parse(row.tagIds) as string[] }));
  }

  /** Forgets snapshots expired at `at` (ISO time). */
  deleteExpired(at: string): void {
    this.db.prepare('DELETE FROM project_transfers WHERE expires <= ?').run(at);
  }

  /** Hashes of the images of snapshots still valid at `at`: their blobs must outlive the source project. */
  hashes(at: string): string[] {
    return this.db
      .prepare<[string], { hash: string }>(
        "SELECT DISTINCT json_extract(i.value, '$.hash') AS hash FROM project_transfers t, json_each(t.payload, '$.images') i WHERE t.expires > ?",
      )
      .all(at)
      .map((r) => r.hash);
  }
}
