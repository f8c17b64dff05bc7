/** @module Tags of a project: create, list, read, update, delete (which untags its images). */
import { badRequest, notFound } from '../errors';
import { newId, now, type Store } from './context';
import { requireProject } from './projects';

export type TagType = 'Regular' | 'Negative' | 'GeneralProduct';
const TAG_TYPES: readonly string[] = ['Regular', 'Negative', 'GeneralProduct'];

export interface Tag {
  id: string;
  name: string;
  description: string | null;
  type: TagType;
  imageCount: number;
}

interface TagRow {
  id: string;
  project_id: string;
  name: string;
  description: string | null;
  type: TagType;
  image_count: number;
}

const SELECT_TAGS = `SELECT t.id, t.project_id, t.name, t.description, t.type,
  (SELECT COUNT(*) FROM image_tags it WHERE it.tag_id = t.id) AS image_count FROM tags t`;

const toTag = (row: TagRow): Tag => ({
  id: row.id,
  name: row.name,
  description: row.description,
  type: row.type,
  imageCount: row.image_count,
});

export function listTags(store: Store, projectId: string): Tag[] {
  const project = requireProject(store, projectId);
  return store.db.prepare<[string], TagRow>(`${SELECT_TAGS} WHERE t.project_id = ? ORDER BY t.created, t.rowid`).all(project.id).map(toTag);
}

export function getTag(store: Store, projectId: string, tagId: string): Tag {
  const project = requireProject(store, projectId);
  const row = store.db
    .prepare<[string, string], TagRow>(`${SELECT_TAGS} WHERE t.project_id = ? AND t.id = ?`)
    .get(project.id, tagId.toLowerCase());
  if (!row) throw notFound('NotFoundTag', `Tag ${tagId} not found in project ${projectId}.`);
  return toTag(row);
}

function checkName(store: Store, projectId: string, name: string | undefined, exceptTagId?: string): string {
  const trimmed = (name ?? '').trim();
  if (!trimmed) throw badRequest('BadRequestTagName', 'The tag name must not be empty.');
  if (trimmed.length > 256) throw badRequest('BadRequestTagName', 'The tag name is longer than 256 characters.');
  const clash = store.db
    .prepare<[string, string], { id: string }>('SELECT id FROM tags WHERE project_id = ? AND name = ? COLLATE NOCASE')
    .get(projectId, trimmed);
  if (clash && clash.id !== exceptTagId) {
    throw badRequest('BadRequestTagNameNotUnique', `A tag named "${trimmed}" already exists in this project.`);
  }
  return trimmed;
}

function checkType(store: Store, projectId: string, type: string | undefined, exceptTagId?: string): TagType {
  const value = type ?? 'Regular';
  if (!TAG_TYPES.includes(value)) throw badRequest('BadRequestTagType', `Unknown tag type ${value}: use Regular or Negative.`);
  if (value === 'GeneralProduct') {
    throw badRequest('BadRequestTagType', 'GeneralProduct tags belong to object detection projects, which the local service does not train.');
  }
  if (value === 'Negative') {
    const other = store.db
      .prepare<[string], { id: string }>("SELECT id FROM tags WHERE project_id = ? AND type = 'Negative'")
      .get(projectId);
    if (other && other.id !== exceptTagId) throw badRequest('BadRequestMultipleNegativeTag', 'A project has at most one Negative tag.');
  }
  return value as TagType;
}

export interface TagInput {
  name?: string;
  description?: string | null;
  type?: string;
}

export function createTag(store: Store, projectId: string, input: TagInput): Tag {
  const project = requireProject(store, projectId);
  const tag = {
    id: newId(),
    project_id: project.id,
    name: checkName(store, project.id, input.name),
    description: input.description ?? null,
    type: checkType(store, project.id, input.type),
    created: now(),
  };
  store.db
    .prepare('INSERT INTO tags (id, project_id, name, description, type, created) VALUES (@id, @project_id, @name, @description, @type, @created)')
    .run(tag);
  return { id: tag.id, name: tag.name, description: tag.description, type: tag.type, imageCount: 0 };
}

export function updateTag(store: Store, projectId: string, tagId: string, input: TagInput): Tag {
  const current = getTag(store, projectId, tagId);
  const projectIdLower = projectId.toLowerCase();
  const name = input.name === undefined ? current.name : checkName(store, projectIdLower, input.name, current.id);
  const type = input.type === undefined ? current.type : checkType(store, projectIdLower, input.type, current.id);
  const description = input.description === undefined ? current.description : input.description;
  store.db.prepare('UPDATE tags SET name = ?, description = ?, type = ? WHERE id = ?').run(name, description, type, current.id);
  return { ...current, name, description, type };
}

/** Deletes the tag; its images stay in the project, without this tag (cascade on image_tags). */
export function deleteTag(store: Store, projectId: string, tagId: string): void {
  const tag = getTag(store, projectId, tagId);
  store.db.prepare('DELETE FROM tags WHERE id = ?').run(tag.id);
}

/** Maps tag ids of this project to their rows; unknown ids are reported, not thrown. */
export function tagsById(store: Store, projectId: string): Map<string, { id: string; name: string; type: TagType }> {
  const rows = store.db
    .prepare<[string], { id: string; name: string; type: TagType }>('SELECT id, name, type FROM tags WHERE project_id = ?')
    .all(projectId);
  return new Map(rows.map((r) => [r.id, r]));
}
