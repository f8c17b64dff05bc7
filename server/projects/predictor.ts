/** @module Classifies images with a trained iteration (quick tests and, later, the prediction endpoint), and stores predictions. */
import { badRequest } from '../errors';
import type { HeadModel } from '../ml/head';
import { ImageDecodeError } from '../ml/image';
import type { Classifier } from '../ml/classifier';
import { newId, now, type Store } from './context';
import { LIMITS } from './images';
import { predictingModel, snapshotTags, type IterationRow } from './iterations';

export interface Prediction {
  probability: number;
  tagId: string;
  tagName: string;
  tagType: string;
}

export interface ImagePrediction {
  id: string;
  project: string;
  iteration: string;
  created: string;
  predictions: Prediction[];
}

/** Loads an iteration's head once and keeps it; the backbone session is shared by all. */
export class Predictor {
  private readonly heads = new Map<string, { model: HeadModel; tags: { id: string; name: string; type: string }[] }>();

  constructor(
    private readonly store: Store,
    private readonly classifier: Classifier,
  ) {}

  private head(iteration: IterationRow) {
    let entry = this.heads.get(iteration.id);
    if (!entry) {
      entry = { model: predictingModel(this.store, iteration), tags: snapshotTags(this.store, iteration.id) };
      this.heads.set(iteration.id, entry);
    }
    return entry;
  }

  /** Drops cached heads of iterations that no longer exist. */
  forget(iterationId: string): void {
    this.heads.delete(iterationId);
  }

  async classify(iteration: IterationRow, bytes: Buffer, options: { maxBytes: number; store: boolean }): Promise<ImagePrediction> {
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
      project: iteration.project_id,
      iteration: iteration.id,
      created: now(),
      predictions: tags
        .map((t, i) => ({ probability: probabilities[i], tagId: t.id, tagName: t.name, tagType: t.type }))
        .sort((a, b) => b.probability - a.probability),
    };
    if (options.store) {
      const hash = await this.store.blobs.put(bytes);
      this.store.db
        .prepare('INSERT INTO predictions (id, project_id, iteration_id, hash, width, height, created, predictions) VALUES (?, ?, ?, ?, ?, ?, ?, ?)')
        .run(result.id, result.project, result.iteration, hash, info.width, info.height, result.created, JSON.stringify(result.predictions));
    }
    return result;
  }
}
