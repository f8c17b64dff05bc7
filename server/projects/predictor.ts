/** @module Classifies images with a trained iteration (quick tests and, later, the prediction endpoint), and stores predictions. */
import { badRequest } from '../errors';
import type { HeadModel } from '../ml/head';
import { ImageDecodeError } from '../ml/image';
import type { Classifier } from '../ml/classifier';
import type { IterationRecord, SnapshotTag, TagScore } from '../store/repositories';
import { newId, now, type SharedStore } from './context';
import { predictingModel } from './heads';
import { LIMITS } from './limits';

export type Prediction = TagScore;

export interface ImagePrediction {
  id: string;
  project: string;
  iteration: string;
  created: string;
  predictions: Prediction[];
}

/**
 * Heads kept loaded (a few KB each). A deleted iteration's head is never asked for again (its
 * lookup fails first), so it simply ages out: nobody has to tell the predictor.
 */
const LOADED_HEADS = 64;

/** Loads an iteration's head once and keeps the most recently used; the backbone session is shared by all. */
export class Predictor {
  private readonly heads = new Map<string, { model: HeadModel; tags: SnapshotTag[] }>();

  constructor(
    private readonly store: SharedStore,
    private readonly classifier: Classifier,
  ) {}

  private head(iteration: IterationRecord) {
    let entry = this.heads.get(iteration.id);
    if (entry) {
      this.heads.delete(iteration.id); // re-inserted below: most recently used last
    } else {
      entry = { model: predictingModel(this.store, iteration), tags: this.store.iterations.snapshotTags(iteration.id) };
      if (this.heads.size >= LOADED_HEADS) this.heads.delete(this.heads.keys().next().value!);
    }
    this.heads.set(iteration.id, entry);
    return entry;
  }

  /** `application` (the Prediction API's parameter) is kept with a stored prediction, for QueryPredictions. */
  async classify(iteration: IterationRecord, bytes: Buffer, options: { maxBytes: number; store: boolean; application?: string }): Promise<ImagePrediction> {
    const { model, tags } = this.head(iteration);
    if (bytes.length > options.maxBytes) {
      throw badRequest('BadRequestImageSizeBytes', `The image is ${bytes.length} bytes; the limit is ${options.maxBytes} bytes.`);
    }
    let classified;
    try {
      classified = await this.classifier.classify(model, bytes);
    } catch (error) {
      if (error instanceof ImageDecodeError) throw badRequest('BadRequestImageFormat', `The image could not be decoded: ${error.message}. Send a JPEG, PNG, GIF or BMP image.`);
      throw error;
    }
    const { probabilities, image: info } = classified;
    if (Math.max(info.width, info.height) > LIMITS.maxSide) {
      throw badRequest('BadRequestImageDimensions', `The image is ${info.width}x${info.height}; sides may be at most ${LIMITS.maxSide} pixels.`);
    }
    const result: ImagePrediction = {
      id: newId(),
      project: iteration.projectId,
      iteration: iteration.id,
      created: now(),
      predictions: tags
        .map((t, i) => ({ probability: probabilities[i], tagId: t.id, tagName: t.name, tagType: t.type }))
        .sort((a, b) => b.probability - a.probability),
    };
    if (options.store) {
      const hash = await this.store.blobs.put(bytes);
      this.store.predictions.insert({
        id: result.id,
        projectId: result.project,
        iterationId: result.iteration,
        hash,
        width: info.width,
        height: info.height,
        created: result.created,
        predictions: result.predictions,
        application: options.application,
      });
    }
    return result;
  }
}
