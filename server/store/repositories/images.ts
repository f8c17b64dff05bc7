/** @module The images and image_tags tables: every statement on them, their rows read as ImageRecord. */
import type { Db } from '../db';

export interface ImageRecord {
  id: string;
  projectId: string;
  /** Content hash of the bytes in the blob store. */
  hash: string;
  format: string;
  width: number;
  height: number;
  created: string;
  metadata: Record<string, string> | null;
}

/** A tag on an image, as the spec's Image lists it. */
export interface ImageTag {
  tagId: string;
  tagName: string;
  created: string;
}

/** A tagged image as training reads it: its bytes' hash, the ids of its tags, its metadata (kept with the iteration). */
export interface TaggedImage {
  id: string;
  hash: string;
  width: number;
  height: number;
  created: string;
  tagIds: string[];
  metadata: Record<string, string> | null;
}

/** A `$filter` on metadata: comparisons of one key's value, joined by and / or. */
export type MetadataCondition =
  | { op: 'eq' | 'ne'; key: string; value: string }
  | { op: 'and' | 'or'; clauses: MetadataCondition[] };

export interface ImageFilter {
  taggingStatus: 'All' | 'Tagged' | 'Untagged';
  /** Images carrying any of these tags. */
  tagIds?: string[];
  metadata?: MetadataCondition;
}

export interface ImagePage {
  oldestFirst: boolean;
  take: number;
  skip: number;
}

/** Columns under their record names; metadata is a JSON object. */
const SELECT_IMAGES = 'SELECT i.id, i.project_id AS projectId, i.hash, i.format, i.width, i.height, i.created, i.metadata FROM images i';

type ImageRow = Omit<ImageRecord, 'metadata'> & { metadata: string | null };

const parseMetadata = (json: string | null) => (json ? (JSON.parse(json) as Record<string, string>) : null);

const toRecord = (row: ImageRow): ImageRecord => ({ ...row, metadata: parseMetadata(row.metadata) });

/** The condition as SQL on `i.metadata`; a missing key is NULL, which `IS NOT` counts as different (OData's null ne 'v'). */
function metadataSql(condition: MetadataCondition, params: unknown[]): string {
  if ('clauses' in condition) return `(${condition.clauses.map((c) => metadataSql(c, params)).join(` ${condition.op.toUpperCase()} `)})`;
  params.push(`$.${JSON.stringify(condition.key)}`, condition.value);
  return `json_extract(i.metadata, ?) ${condition.op === 'eq' ? 'IS' : 'IS NOT'} ?`;
}

/** The condition (on images `i`) and its parameters that select the filtered images of a project. */
function whereClause(projectId: string, filter: ImageFilter): { sql: string; params: unknown[] } {
  const clauses = ['i.project_id = ?'];
  const params: unknown[] = [projectId];
  const tagged = 'EXISTS (SELECT 1 FROM image_tags it WHERE it.image_id = i.id)';
  if (filter.taggingStatus === 'Tagged') clauses.push(tagged);
  if (filter.taggingStatus === 'Untagged') clauses.push(`NOT ${tagged}`);
  if (filter.tagIds && filter.tagIds.length) {
    clauses.push(`EXISTS (SELECT 1 FROM image_tags it WHERE it.image_id = i.id AND it.tag_id IN (${filter.tagIds.map(() => '?').join(',')}))`);
    params.push(...filter.tagIds);
  }
  if (filter.metadata) clauses.push(metadataSql(filter.metadata, params));
  return { sql: clauses.join(' AND '), params };
}

export class ImageRepository {
  constructor(private readonly db: Db) {}

  byId(projectId: string, id: string): ImageRecord | undefined {
    const row = this.db.prepare<[string, string], ImageRow>(`${SELECT_IMAGES} WHERE i.project_id = ? AND i.id = ?`).get(projectId, id);
    return row && toRecord(row);
  }

  byHash(projectId: string, hash: string): ImageRecord | undefined {
    const row = this.db.prepare<[string, string], ImageRow>(`${SELECT_IMAGES} WHERE i.project_id = ? AND i.hash = ?`).get(projectId, hash);
    return row && toRecord(row);
  }

  list(projectId: string, filter: ImageFilter, page: ImagePage): ImageRecord[] {
    const { sql, params } = whereClause(projectId, filter);
    const order = page.oldestFirst ? 'ASC' : 'DESC';
    return this.db
      .prepare<unknown[], ImageRow>(`${SELECT_IMAGES} WHERE ${sql} ORDER BY i.created ${order}, i.rowid ${order} LIMIT ? OFFSET ?`)
      .all(...params, page.take, page.skip)
      .map(toRecord);
  }

  count(projectId: string, filter: ImageFilter): number {
    const { sql, params } = whereClause(projectId, filter);
    return this.db.prepare<unknown[], { n: number }>(`SELECT COUNT(*) AS n FROM images i WHERE ${sql}`).get(...params)?.n ?? 0;
  }

  /** The project's images that carry at least one tag, oldest first. */
  tagged(projectId: string): TaggedImage[] {
    return this.db
      .prepare<[string], Omit<TaggedImage, 'tagIds' | 'metadata'> & { tagIds: string; metadata: string | null }>(
        `SELECT i.id, i.hash, i.width, i.height, i.created, i.metadata, json_group_array(it.tag_id) AS tagIds
         FROM images i JOIN image_tags it ON it.image_id = i.id
         WHERE i.project_id = ? GROUP BY i.id ORDER BY i.created, i.rowid`,
      )
      .all(projectId)
      .map((image) => ({ ...image, tagIds: JSON.parse(image.tagIds) as string[], metadata: parseMetadata(image.metadata) }));
  }

  /** Adds an image with its tags, dated as the image. */
  insert(image: ImageRecord, tagIds: readonly string[]): void {
    const insertTag = this.db.prepare('INSERT OR IGNORE INTO image_tags (image_id, tag_id, created) VALUES (?, ?, ?)');
    this.db.transaction(() => {
      this.db
        .prepare(
          `INSERT INTO images (id, project_id, hash, format, width, height, created, metadata)
           VALUES (@id, @projectId, @hash, @format, @width, @height, @created, @metadata)`,
        )
        .run({ ...image, metadata: image.metadata ? JSON.stringify(image.metadata) : null });
      for (const tagId of tagIds) insertTag.run(image.id, tagId, image.created);
    })();
  }

  /** Deletes images (their tags cascade); ids not in the project are ignored. */
  delete(projectId: string, ids: readonly string[]): void {
    const remove = this.db.prepare('DELETE FROM images WHERE project_id = ? AND id = ?');
    this.db.transaction(() => ids.forEach((id) => remove.run(projectId, id)))();
  }

  deleteAll(projectId: string): void {
    this.db.prepare('DELETE FROM images WHERE project_id = ?').run(projectId);
  }

  /** Replaces an image's metadata (null: none). */
  setMetadata(imageId: string, metadata: Record<string, string> | null): void {
    this.db.prepare('UPDATE images SET metadata = ? WHERE id = ?').run(metadata && Object.keys(metadata).length ? JSON.stringify(metadata) : null, imageId);
  }

  /** The image's tags, in the order they were put on it. */
  tagsOf(imageId: string): ImageTag[] {
    return this.db
      .prepare<[string], ImageTag>(
        `SELECT it.tag_id AS tagId, t.name AS tagName, it.created AS created
         FROM image_tags it JOIN tags t ON t.id = it.tag_id WHERE it.image_id = ? ORDER BY it.created, t.name`,
      )
      .all(imageId);
  }

  hasTag(imageId: string, tagId: string): boolean {
    return this.db.prepare<[string, string], { n: number }>('SELECT COUNT(*) AS n FROM image_tags WHERE image_id = ? AND tag_id = ?').get(imageId, tagId)!.n > 0;
  }

  tagCount(imageId: string): number {
    return this.db.prepare<[string], { n: number }>('SELECT COUNT(*) AS n FROM image_tags WHERE image_id = ?').get(imageId)!.n;
  }

  addTag(imageId: string, tagId: string, created: string): void {
    this.db.prepare('INSERT INTO image_tags (image_id, tag_id, created) VALUES (?, ?, ?)').run(imageId, tagId, created);
  }

  /** Takes each tag off each image of the project; other pairs are ignored. */
  removeTags(projectId: string, imageIds: readonly string[], tagIds: readonly string[]): void {
    const remove = this.db.prepare('DELETE FROM image_tags WHERE tag_id = ? AND image_id = (SELECT id FROM images WHERE project_id = ? AND id = ?)');
    this.db.transaction(() => {
      for (const imageId of imageIds) for (const tagId of tagIds) remove.run(tagId, projectId, imageId);
    })();
  }

  /** Hashes of every workspace image, for the blob sweep. */
  hashes(): string[] {
    return this.db.prepare<[], { hash: string }>('SELECT hash FROM images').all().map((r) => r.hash);
  }
}
