import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Backbone } from '../../../server/ml/backbone';
import { BatchingEmbedder } from '../../../server/ml/batcher';

/** A stand-in backbone that records batch sizes; the real one is exercised by the API tests. */
function recordingBackbone(batchSize: number) {
  const batches: number[] = [];
  const backbone = {
    batchSize,
    async embed(tensors: Float32Array[]) {
      batches.push(tensors.length);
      await new Promise((r) => setTimeout(r, 20));
      return tensors.map((t) => Float32Array.of(t[0] * 2));
    },
  } as unknown as Backbone;
  return { backbone, batches };
}

describe('BatchingEmbedder', () => {
  it('runs a lone request at once, and batches requests that arrive while busy', async () => {
    const { backbone, batches } = recordingBackbone(8);
    const embedder = new BatchingEmbedder(backbone);
    assert.deepEqual(Array.from(await embedder.embed(Float32Array.of(1))), [2]);
    const results = await Promise.all(Array.from({ length: 11 }, (_, i) => embedder.embed(Float32Array.of(i))));
    assert.deepEqual(results.map((r) => r[0]), Array.from({ length: 11 }, (_, i) => i * 2));
    // First call alone; then the first of the 11 runs alone while 10 queue, which go as 8 + 2.
    assert.deepEqual(batches, [1, 1, 8, 2]);
  });

  it('fails every request of a failed batch, and recovers', async () => {
    let fail = true;
    const backbone = {
      batchSize: 4,
      async embed(tensors: Float32Array[]) {
        if (fail) throw new Error('boom');
        return tensors;
      },
    } as unknown as Backbone;
    const embedder = new BatchingEmbedder(backbone);
    await assert.rejects(embedder.embed(Float32Array.of(1)), /boom/);
    fail = false;
    assert.deepEqual(Array.from(await embedder.embed(Float32Array.of(3))), [3]);
  });
});
