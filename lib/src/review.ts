/** @module Finding likely mislabelled training images from held-out predictions, and retagging them. */
import type { TrainingAPIClient, TrainingAPIModels } from '@azure/cognitiveservices-customvision-training';

export interface Suspect {
  imageId: string;
  imageUri: string;
  thumbnailUri: string;
  /** The tag the image carries now. */
  tag: string;
  /** What a model that never saw the image predicts, and how sure it is. */
  predicted: string;
  probability: number;
}

/** Every image performance of an iteration, page by page (the service returns at most 256 at once). */
export async function allImagePerformances(
  trainer: TrainingAPIClient,
  projectId: string,
  iterationId: string,
  tagIds?: string[],
): Promise<TrainingAPIModels.ImagePerformance[]> {
  const all: TrainingAPIModels.ImagePerformance[] = [];
  for (let skip = 0; ; skip += 256) {
    const page = await trainer.getImagePerformances(projectId, iterationId, { tagIds, take: 256, skip });
    all.push(...page);
    if (page.length < 256) return all;
  }
}

/**
 * Images whose held-out prediction confidently disagrees with their tag: the candidates for a
 * human look. `minProbability` is how sure the model must be of the other tag (default 0.8).
 */
export async function findSuspects(
  trainer: TrainingAPIClient,
  projectId: string,
  iterationId: string,
  options: { tagId?: string; minProbability?: number } = {},
): Promise<Suspect[]> {
  const performances = await allImagePerformances(trainer, projectId, iterationId, options.tagId ? [options.tagId] : undefined);
  const min = options.minProbability ?? 0.8;
  return performances
    .map((image) => ({ image, top: image.predictions?.[0] }))
    .filter(({ image, top }) => top && (top.probability ?? 0) >= min && !(image.tags ?? []).some((t) => t.tagId === top.tagId))
    .map(({ image, top }) => ({
      imageId: image.id as string,
      imageUri: image.imageUri as string,
      thumbnailUri: image.thumbnailUri as string,
      tag: (image.tags ?? []).map((t) => t.tagName).join(', '),
      predicted: top?.tagName as string,
      probability: top?.probability as number,
    }))
    .sort((a, b) => b.probability - a.probability);
}

/** Moves images from one tag to another (Multiclass: one tag per image). */
export async function retag(trainer: TrainingAPIClient, projectId: string, imageIds: string[], fromTagId: string, toTagId: string): Promise<number> {
  for (let i = 0; i < imageIds.length; i += 64) {
    const chunk = imageIds.slice(i, i + 64);
    await trainer.deleteImageTags(projectId, chunk, [fromTagId]);
    await trainer.createImageTags(projectId, { tags: chunk.map((imageId) => ({ imageId, tagId: toTagId })) });
  }
  return imageIds.length;
}
