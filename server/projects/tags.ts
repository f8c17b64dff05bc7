/** @module Tags of a project: create, list, read, update, delete (which untags its images). */
import { badRequest, notFound } from '../errors';
import type { TagSummary, TagType } from '../store/repositories';
import { newId, now, type Store } from './context';
import { iterationRow } from './iterations';
import { checkedName, checkedText, LIMITS } from './limits';
import { requireProject } from './projects';
import { readSnapshot } from './snapshots';

export type { TagType };
const TAG_TYPES: readonly string[] = ['Regular', 'Negative', 'GeneralProduct'];

export interface Tag {
  id: string;
  name: string;
  description: string | null;
  type: TagType;
  imageCount: number;
}

/** Only the spec's fields, whatever record the tag was read from. */
const toTag = (tag: Tag): Tag => ({
  id: tag.id,
  name: tag.name,
  description: tag.description,
  type: tag.type,
  imageCount: tag.imageCount,
});

/** The workspace's tags, or with `iterationId` the tags as that iteration trained on them. */
export function listTags(store: Store, projectId: string, iterationId?: string): Tag[] {
  const project = requireProject(store, projectId);
  const workspace = store.tags.list(project.id).map(toTag);
  return iterationId ? iterationTags(store, project.id, iterationId, workspace) : workspace;
}

export function getTag(store: Store, projectId: string, tagId: string, iterationId?: string): Tag {
  const project = requireProject(store, projectId);
  const id = tagId.toLowerCase();
  const tag = iterationId ? listTags(store, project.id, iterationId).find((t) => t.id === id) : store.tags.byId(project.id, id);
  const where = iterationId ? `iteration ${iterationId} of project ${projectId}` : `project ${projectId}`;
  if (!tag) throw notFound('NotFoundTag', `Tag ${tagId} not found in ${where}.`);
  return toTag(tag);
}

/**
 * An iteration's tags from its snapshot: the names and types it trained with and how many of its
 * images carried each. The snapshot keeps no descriptions, so a tag's is the workspace's (null once deleted).
 */
function iterationTags(store: Store, projectId: string, iterationId: string, workspace: Tag[]): Tag[] {
  const { tags, images } = readSnapshot(store, iterationRow(store, projectId, iterationId).id);
  const descriptions = new Map(workspace.map((t) => [t.id, t.description]));
  return tags.map((t) => ({
    id: t.id,
    name: t.name,
    description: descriptions.get(t.id) ?? null,
    type: t.type as TagType,
    imageCount: images.filter((i) => !i.removed && i.tagIds.includes(t.id)).length,
  }));
}

function checkName(store: Store, projectId: string, name: string | undefined, exceptTagId?: string): string {
  const trimmed = checkedName(name, { what: 'The tag name', max: LIMITS.tagNameLength, code: 'BadRequestTagName' });
  const clash = store.tags.idByName(projectId, trimmed);
  if (clash && clash !== exceptTagId) {
    throw badRequest('BadRequestTagNameNotUnique', `A tag named "${trimmed}" already exists in this project.`);
  }
  return trimmed;
}

const checkDescription = <T extends string | null | undefined>(text: T) =>
  checkedText(text, { what: 'The tag description', max: LIMITS.descriptionLength, code: 'BadRequestTagDescription' });

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
    description: checkDescription(input.description) ?? null,
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
  const description = input.description === undefined ? current.description : checkDescription(input.description);
  if (type === 'Negative' && current.type !== 'Negative') {
    // An image with the Negative tag has no other tag (image-tags.ts): this tag's images must carry it alone.
    const shared = store.images.tagged(projectIdLower).find((i) => i.tagIds.includes(current.id) && i.tagIds.length > 1);
    if (shared) {
      throw badRequest('BadRequestNegativeAndRegularTagOnSameImage', `Image ${shared.id} carries this tag and another one: an image with the Negative tag has no other tag.`);
    }
  }
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
