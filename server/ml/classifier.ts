/**
 * @module The service's classifier: trained heads over backbone features computed in inference
 * workers. Kept apart from the training pipeline so the HTTP thread never loads onnxruntime-node.
 */
import { predictVariants } from './config';
import { predictViews, type HeadModel } from './head';
import type { ImageInfo } from './image';
import { InferencePool, type InferencePoolOptions } from './inference-pool';

/** Classifies one image with a trained head; throws ImageDecodeError for anything not a decodable image. */
export interface Classifier {
  classify(model: HeadModel, bytes: Buffer): Promise<{ probabilities: number[]; image: ImageInfo }>;
  close(): Promise<void>;
}

/** The service's classifier: a pool of inference workers, started on first use and kept; concurrent requests share their runs. */
export class LocalClassifier implements Classifier {
  private readonly pool: InferencePool;

  constructor(weightsDir: string, options: InferencePoolOptions = {}) {
    this.pool = InferencePool.ofWorkers(weightsDir, options);
  }

  async classify(model: HeadModel, bytes: Buffer): Promise<{ probabilities: number[]; image: ImageInfo }> {
    // Test-time averaging: the head's probabilities over the configured views of the full-size image.
    const views = predictVariants().map((v) => v.view);
    const { features, info } = await this.pool.infer(bytes, views);
    return { probabilities: predictViews(model, features), image: info };
  }

  close(): Promise<void> {
    return this.pool.close();
  }
}
