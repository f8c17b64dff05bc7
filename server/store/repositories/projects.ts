/**
 * @module The projects table: every statement on it, its rows read as ProjectRecord. A repository
 * sees the projects of one resource only: every statement is limited to it, so a project of another
 * resource is, to its callers, a project that does not exist.
 */
import type { Db } from '../db';

export type ClassificationType = 'Multiclass' | 'Multilabel';

export interface ProjectRecord {
  id: string;
  name: string;
  description: string | null;
  domainId: string;
  classificationType: ClassificationType;
  targetExportPlatforms: string[];
  created: string;
  lastModified: string;
}

/** Columns under their record names; the export platforms are a JSON array. */
const SELECT_PROJECTS =
  'SELECT id, name, description, domain_id AS domainId, classification_type AS classificationType, ' +
  'target_export_platforms AS targetExportPlatforms, created, last_modified AS lastModified FROM projects';

type ProjectRow = Omit<ProjectRecord, 'targetExportPlatforms'> & { targetExportPlatforms: string };

const toRecord = (row: ProjectRow): ProjectRecord => ({ ...row, targetExportPlatforms: JSON.parse(row.targetExportPlatforms) as string[] });
const toRow = (record: ProjectRecord): ProjectRow => ({ ...record, targetExportPlatforms: JSON.stringify(record.targetExportPlatforms) });

export class ProjectRepository {
  constructor(
    private readonly db: Db,
    /** The resource whose projects these are. */
    readonly resource: string,
  ) {}

  byId(id: string): ProjectRecord | undefined {
    const row = this.db.prepare<[string, string], ProjectRow>(`${SELECT_PROJECTS} WHERE id = ? AND resource = ?`).get(id, this.resource);
    return row && toRecord(row);
  }

  /** Oldest first. */
  all(): ProjectRecord[] {
    return this.db.prepare<[string], ProjectRow>(`${SELECT_PROJECTS} WHERE resource = ? ORDER BY created, rowid`).all(this.resource).map(toRecord);
  }

  /** Adds a project owned by this repository's resource. */
  insert(project: ProjectRecord): void {
    this.db
      .prepare(
        `INSERT INTO projects (id, name, description, domain_id, classification_type, target_export_platforms, created, last_modified, resource)
         VALUES (@id, @name, @description, @domainId, @classificationType, @targetExportPlatforms, @created, @lastModified, @resource)`,
      )
      .run({ ...toRow(project), resource: this.resource });
  }

  /** Saves every field but id and created. */
  update(project: ProjectRecord): void {
    this.db
      .prepare(
        `UPDATE projects SET name = @name, description = @description, domain_id = @domainId,
         classification_type = @classificationType, target_export_platforms = @targetExportPlatforms,
         last_modified = @lastModified WHERE id = @id AND resource = @resource`,
      )
      .run({ ...toRow(project), resource: this.resource });
  }

  /** Deletes the project with everything in it: its tags, images, iterations and predictions cascade. */
  delete(id: string): void {
    this.db.prepare('DELETE FROM projects WHERE id = ? AND resource = ?').run(id, this.resource);
  }
}
