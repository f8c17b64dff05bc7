/** @module What an iteration trains on: the workspace's tagged images and their tags, checked against the training rules. */
import { badRequest, notFound } from '../errors';
import type { SnapshotImage, SnapshotTag } from '../store/repositories';
import type { ClassificationType, SharedStore, Store } from './context';

export const MIN_IMAGES_PER_TAG = 5;

/** The training images as an iteration sees them, and the tags (model outputs) in output order. */
export interface TrainingSnapshot {
  images: SnapshotImage[];
  tags: SnapshotTag[];
}

/** What training would use now: tagged images (restricted to the selected tags, if any) and the tags they carry. */
export function snapshotWorkspace(store: Store, projectId: string, selectedTags?: string[]): TrainingSnapshot {
  const selected = selectedTags?.length ? new Set(selectedTags.map((t) => t.toLowerCase())) : undefined;
  const projectTags = store.tags.summaries(projectId);
  // A selected tag the project lacks is a mistake to report, not a filter that matches nothing.
  const unknown = [...(selected ?? [])].find((id) => !projectTags.some((t) => t.id === id));
  if (unknown) throw notFound('NotFoundTag', `selectedTags: tag ${unknown} not found in project ${projectId}.`);
  const images = store.images
    .tagged(projectId)
    .map(({ id, tagIds, ...image }) => ({ imageId: id, ...image, tagIds: tagIds.filter((t) => !selected || selected.has(t)).sort() }))
    .filter((i) => i.tagIds.length > 0);
  const used = new Set(images.flatMap((i) => i.tagIds));
  return { images, tags: projectTags.filter((t) => used.has(t.id)) };
}

/** What an iteration trained on, as recorded when it was made. */
export function readSnapshot(store: SharedStore, iterationId: string): TrainingSnapshot {
  return { images: store.iterations.snapshotImages(iterationId), tags: store.iterations.snapshotTags(iterationId) };
}

/** A training as compared to detect "nothing new to train": its domain, type and tagged images. */
interface TrainingInput {
  domainId: string;
  classificationType: ClassificationType;
  snapshot: TrainingSnapshot;
}

function signature({ domainId, classificationType, snapshot }: TrainingInput): string {
  const pairs = snapshot.images.map((i) => `${i.hash}:${i.tagIds.join(',')}`).sort();
  // A tag turned Negative (or back) changes what the model's outputs are, even on the same images.
  const negative = snapshot.tags.filter((t) => t.type === 'Negative').map((t) => t.id);
  return JSON.stringify([domainId, classificationType, pairs, negative]);
}

/** Whether two trainings would learn from the same thing. */
export function sameTraining(a: TrainingInput, b: TrainingInput): boolean {
  return signature(a) === signature(b);
}

export function validateForTraining(snapshot: TrainingSnapshot, type: ClassificationType): void {
  const fail = (message: string) => {
    throw badRequest('BadRequestTrainingValidationFailed', message);
  };
  const negative = snapshot.tags.find((t) => t.type === 'Negative');
  // Images tagged before the rule existed (a data folder of an earlier version) may still mix them.
  const mixed = negative && snapshot.images.find((i) => i.tagIds.length > 1 && i.tagIds.includes(negative.id));
  if (mixed) {
    throw badRequest(
      'BadRequestNegativeAndRegularTagOnSameImage',
      `Image ${mixed.imageId} carries the Negative tag "${negative.name}" and another tag: an image with the Negative tag has no other tag. Remove one of them, then train.`,
    );
  }
  if (!snapshot.tags.some((t) => t.type !== 'Negative')) {
    fail('Not enough tags for training: tag images with at least 1 tag that is not the Negative tag.');
  }
  // The Negative tag counts as an output here: Multiclass softmax class or Multilabel sigmoid (see README, "Negative tags").
  if (snapshot.tags.length < 2) {
    fail(`Not enough tags for training: tag images with at least 2 tags, or 1 tag and the Negative tag (found ${snapshot.tags.length} tag(s) with images).`);
  }
  for (const tag of snapshot.tags) {
    const count = snapshot.images.filter((i) => i.tagIds.includes(tag.id)).length;
    if (count < MIN_IMAGES_PER_TAG) {
      fail(`Not enough images for training: tag "${tag.name}" has ${count} image(s); each tag, the Negative tag too, needs at least ${MIN_IMAGES_PER_TAG}.`);
    }
  }
  if (type === 'Multiclass') {
    const multi = snapshot.images.filter((i) => i.tagIds.length > 1);
    if (multi.length) {
      throw badRequest(
        'BadRequestMultiClassClassificationTrainingValidationFailed',
        `A Multiclass project needs exactly one tag per image; ${multi.length} image(s) have several (first: ${multi[0].imageId}). Remove the extra tags or switch the project to Multilabel.`,
      );
    }
  }
}
