/** @module Shares backbone runs between concurrent requests: tensors that queue up while a run is busy go together in the next one. */
import type { Backbone } from './backbone';

interface Waiting {
  tensor: Float32Array;
  resolve: (features: Float32Array) => void;
  reject: (error: Error) => void;
}

/**
 * Opportunistic batching: a lone request runs at once (no added latency); requests arriving
 * while the backbone is busy wait and then run as one batch, which costs less per image than
 * separate runs on a small CPU.
 */
export class BatchingEmbedder {
  private readonly queue: Waiting[] = [];
  private running = false;

  constructor(
    private readonly backbone: Backbone,
    private readonly maxBatch = backbone.batchSize,
  ) {}

  embed(tensor: Float32Array): Promise<Float32Array> {
    return new Promise((resolve, reject) => {
      this.queue.push({ tensor, resolve, reject });
      if (!this.running) void this.drain();
    });
  }

  private async drain(): Promise<void> {
    this.running = true;
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0, this.maxBatch);
      try {
        const features = await this.backbone.embed(batch.map((w) => w.tensor));
        batch.forEach((w, i) => w.resolve(features[i]));
      } catch (error) {
        batch.forEach((w) => w.reject(error as Error));
      }
    }
    this.running = false;
  }
}
