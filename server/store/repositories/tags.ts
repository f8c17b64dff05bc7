/** @module The tags table: every statement on it, its rows read as TagRecord. */
import type { Db } from '../db';

export type TagType = 'Regular' | 'Negative' | 'GeneralProduct';

export interface TagRecord {
  id: string;
  projectId: string;
  name: string;
  description: string | null;
  type: TagType;
  created: string;
}

/** A tag with the number of images it is on now. */
export type CountedTag = TagRecord & { imageCount: number };

/** What training and tag checks need of a tag. */
export interface TagSummary {
  id: string;
  name: string;
  type: TagType;
}

/** Tags with their image counts, columns under their record names. */
const SELECT_COUNTED = `SELECT t.id, t.project_id AS projectId, t.name, t.description, t.type, t.created,
  (SELECT COUNT(*) FROM image_tags it WHERE it.tag_id = t.id) AS imageCount FROM tags t`;

export class TagRepository {
  constructor(private readonly db: Db) {}

  /** Oldest first. */
  list(projectId: string): CountedTag[] {
    return this.db.prepare<[string], CountedTag>(`${SELECT_COUNTED} WHERE t.project_id = ? ORDER BY t.created, t.rowid`).all(projectId);
  }

  byId(projectId: string, id: string): CountedTag | undefined {
    return this.db.prepare<[string, string], CountedTag>(`${SELECT_COUNTED} WHERE t.project_id = ? AND t.id = ?`).get(projectId, id);
  }

  /** The project's tags, oldest first, without counting their images. */
  summaries(projectId: string): TagSummary[] {
    return this.db.prepare<[string], TagSummary>('SELECT id, name, type FROM tags WHERE project_id = ? ORDER BY created, rowid').all(projectId);
  }

  /** The id of the tag with this name, compared without case as the unique index does. */
  idByName(projectId: string, name: string): string | undefined {
    return this.db.prepare<[string, string], { id: string }>('SELECT id FROM tags WHERE project_id = ? AND name = ? COLLATE NOCASE').get(projectId, name)?.id;
  }

  idOfType(projectId: string, type: TagType): string | undefined {
    return this.db.prepare<[string, string], { id: string }>('SELECT id FROM tags WHERE project_id = ? AND type = ?').get(projectId, type)?.id;
  }

  insert(tag: TagRecord): void {
    this.db
      .prepare('INSERT INTO tags (id, project_id, name, description, type, created) VALUES (@id, @projectId, @name, @description, @type, @created)')
      .run(tag);
  }

  update(id: string, fields: Pick<TagRecord, 'name' | 'description' | 'type'>): void {
    this.db.prepare('UPDATE tags SET name = ?, description = ?, type = ? WHERE id = ?').run(fields.name, fields.description, fields.type, id);
  }

  /** Deletes the tag; its images lose it (image_tags cascade). */
  delete(id: string): void {
    this.db.prepare('DELETE FROM tags WHERE id = ?').run(id);
  }
}
