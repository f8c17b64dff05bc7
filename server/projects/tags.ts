/** @module Tags of a project: create, list, read, update, delete (which untags its images). */
import { badRequest, notFound } from '../errors';
import type { CountedTag, TagSummary, TagType } from '../store/repositories';
import { newId, now, type Store } from './context';
import { requireProject } from './projects';

export type { TagType };
const TAG_TYPES: readonly string[] = ['Regular', 'Negative', 'GeneralProduct'];

export interface Tag {
  id: string;
  name: string;
  description: string | null;
  type: TagType;
  imageCount: number;
}

const toTag = (tag: CountedTag): Tag => ({
  id: tag.id,
  name: tag.name,
  description: tag.description,
  type: tag.type,
  imageCount: tag.imageCount,
});

export function listTags(store: Store, projectId: string): Tag[] {
  const project = requireProject(store, projectId);
  return store.tags.list(project.id).map(toTag);
}

export function getTag(store: Store, projectId: string, tagId: string): Tag {
  const project = requireProject(store, projectId);
  const tag = store.tags.byId(project.id, tagId.toLowerCase());
  if (!tag) throw notFound('NotFoundTag', `Tag ${tagId} not found in project ${projectId}.`);
  return toTag(tag);
}

function checkName(store: Store, projectId: string, name: string | undefined, exceptTagId?: string): string {
  const trimmed = (name ?? '').trim();
  if (!trimmed) throw badRequest('BadRequestTagName', 'The tag name must not be empty.');
  if (trimmed.length > 256) throw badRequest('BadRequestTagName', 'The tag name is longer than 256 characters.');
  const clash = store.tags.idByName(projectId, trimmed);
  if (clash && clash !== exceptTagId) {
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
    const other = store.tags.idOfType(projectId, 'Negative');
    if (other && other !== exceptTagId) throw badRequest('BadRequestMultipleNegativeTag', 'A project has at most one Negative tag.');
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
    projectId: project.id,
    name: checkName(store, project.id, input.name),
    description: input.description ?? null,
    type: checkType(store, project.id, input.type),
    created: now(),
  };
  store.tags.insert(tag);
  return { id: tag.id, name: tag.name, description: tag.description, type: tag.type, imageCount: 0 };
}

export function updateTag(store: Store, projectId: string, tagId: string, input: TagInput): Tag {
  const current = getTag(store, projectId, tagId);
  const projectIdLower = projectId.toLowerCase();
  const name = input.name === undefined ? current.name : checkName(store, projectIdLower, input.name, current.id);
  const type = input.type === undefined ? current.type : checkType(store, projectIdLower, input.type, current.id);
  const description = input.description === undefined ? current.description : input.description;
  store.tags.update(current.id, { name, description, type });
  return { ...current, name, description, type };
}

/** Deletes the tag; its images stay in the project, without this tag. */
export function deleteTag(store: Store, projectId: string, tagId: string): void {
  const tag = getTag(store, projectId, tagId);
  store.tags.delete(tag.id);
}

/** Maps tag ids of this project to their tags; unknown ids are reported, not thrown. */
export function tagsById(store: Store, projectId: string): Map<string, TagSummary> {
  return new Map(store.tags.summaries(projectId).map((t) => [t.id, t]));
}
