/** The inference pool: how it shares work between runners, and its real worker threads against the in-process backbone. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { backboneWeightsDir } from '../../../datasets/paths';
import { Backbone } from '../../../server/ml/backbone';
import { DEFAULT_TRAINING_CONFIG } from '../../../server/ml/config';
import { featureDim } from '../../../server/ml/graph';
import { decodeImage, ImageDecodeError, VIEWS } from '../../../server/ml/image';
import { InferencePool, type InferenceItem, type InferenceOutcome, type InferenceRunner } from '../../../server/ml/inference-pool';
import { CLASSES, imageFiles, readImage } from '../../support/dataset';

/**
 * A runner that records its batches and answers after `ms`; bytes [0xff] stand for an undecodable
 * image. Features say which image and view they are of: [2 x the image's byte, the view's index].
 */
function recordingRunner(name: string, log: string[], ms = 20): InferenceRunner & { closed: boolean } {
  return {
    closed: false,
    async run(items: InferenceItem[]): Promise<InferenceOutcome[]> {
      log.push(`${name}:${items.map((i) => `${i.bytes[0]}${i.views.length > 1 || i.views[0] !== 'identity' ? `[${i.views}]` : ''}`).join(',')}`);
      await new Promise((r) => setTimeout(r, ms));
      return items.map((i) =>
        i.bytes[0] === 0xff
          ? { error: 'not an image' }
          : { features: i.views.map((v) => Float32Array.of(i.bytes[0] * 2, VIEWS.indexOf(v))), info: { format: 'png', width: 1, height: 1 } },
      );
    },
    async close() {
      this.closed = true;
    },
  };
}

const image = (n: number) => Uint8Array.of(n);

describe('InferencePool', () => {
  it("shares a lone request's views over the idle runners, and gives them back in order", async () => {
    const log: string[] = [];
    const pool = new InferencePool([recordingRunner('a', log), recordingRunner('b', log), recordingRunner('c', log)], 3);
    const views = ['identity', 'flip', 'flip-rot180', 'rot180'] as const;
    const { features } = await pool.infer(image(1), [...views]);
    assert.deepEqual(features.map((f) => Array.from(f)), views.map((v) => [2, VIEWS.indexOf(v)]));
    assert.deepEqual(log.map((l) => l.split(':')[1]).sort(), ['1', '1[flip-rot180,rot180]', '1[flip]']);
    assert.deepEqual(Array.from((await pool.infer(image(2), ['identity'])).features[0]), [4, 0], 'one view stays whole');
  });

  it('spreads concurrent requests over idle runners, and batches the rest', async () => {
    const log: string[] = [];
    const pool = new InferencePool([recordingRunner('a', log), recordingRunner('b', log)], 3);
    const results = await Promise.all([2, 3, 4, 5, 6, 7].map((n) => pool.infer(image(n), ['identity'])));
    assert.deepEqual(results.map((r) => r.features.map((f) => f[0])), [2, 3, 4, 5, 6, 7].map((n) => [n * 2]));
    // 2 and 3 start at once on the two runners; 4..7 wait, then go as batches of at most 3.
    assert.deepEqual(log.slice(0, 2).map((l) => l.split(':')[1]).sort(), ['2', '3']);
    assert.deepEqual(log.slice(2).map((l) => l.split(':')[1]), ['4,5,6', '7']);
  });

  it('fails only the undecodable image of a batch, with ImageDecodeError', async () => {
    const pool = new InferencePool([recordingRunner('a', [])]);
    const [good, bad] = await Promise.allSettled([pool.infer(image(1), ['identity']), pool.infer(image(0xff), ['identity'])]);
    assert.equal(good.status, 'fulfilled');
    assert.equal(bad.status, 'rejected');
    assert.ok(bad.status === 'rejected' && bad.reason instanceof ImageDecodeError && /not an image/.test(bad.reason.message));
  });

  it('fails a batch whose runner fails, and carries on with the next', async () => {
    let fail = true;
    const runner: InferenceRunner = {
      async run(items) {
        if (fail) throw new Error('worker crashed');
        return items.map(() => ({ features: [Float32Array.of(1)], info: { format: 'png', width: 1, height: 1 } }));
      },
      async close() {},
    };
    const pool = new InferencePool([runner]);
    await assert.rejects(pool.infer(image(1), ['identity']), /worker crashed/);
    fail = false;
    assert.equal((await pool.infer(image(1), ['identity'])).features[0][0], 1);
  });

  it('refuses work once closed, and closes its runners', async () => {
    const runner = recordingRunner('a', [], 50);
    const pool = new InferencePool([runner]);
    const running = pool.infer(image(1), ['identity']);
    const queued = pool.infer(image(2), ['identity']);
    await pool.close();
    assert.equal(runner.closed, true);
    await assert.rejects(queued, /closed/);
    await assert.rejects(pool.infer(image(3), ['identity']), /closed/);
    assert.equal((await running).features[0][0], 2, 'the batch already running still answers');
  });
});

describe('InferencePool of worker threads, on the real backbone', () => {
  let pool: InferencePool;
  let backbone: Backbone;
  before(async () => {
    pool = InferencePool.ofWorkers(backboneWeightsDir(), { workers: 2, threadsPerWorker: 1 });
    backbone = await Backbone.load(backboneWeightsDir(), { threads: 1 });
  });
  after(async () => {
    await pool.close();
    await backbone.close();
  });

  it('gives the in-process backbone features for concurrent requests, and each image its own decode error', async () => {
    const files = CLASSES.flatMap((c) => imageFiles('test', c).slice(0, 3));
    const corrupt = Buffer.from(readImage(files[0]));
    for (let i = 4000; i < 4100; i++) corrupt[i] ^= 0x55;
    const settled = await Promise.allSettled([...files.map((f) => pool.infer(readImage(f), ['identity', 'flip'])), pool.infer(corrupt, ['identity'])]);
    const last = settled.pop()!;
    assert.ok(last.status === 'rejected' && last.reason instanceof ImageDecodeError, 'the corrupt image fails alone');
    for (const [i, file] of files.entries()) {
      const outcome = settled[i];
      assert.equal(outcome.status, 'fulfilled', file);
      const { features, info } = (outcome as PromiseFulfilledResult<{ features: Float32Array[]; info: unknown }>).value;
      const { rgb, info: expectedInfo } = await decodeImage(readImage(file));
      assert.deepEqual(info, expectedInfo);
      const expected = await backbone.embedPixels([{ rgb, view: 'identity' }, { rgb, view: 'flip' }]);
      assert.equal(features.length, 2);
      features.forEach((f, v) => f.forEach((x, k) => assert.ok(Math.abs(x - expected[v][k]) <= 1e-4 * (1 + Math.abs(expected[v][k])), `${file} view ${v} feature ${k}`)));
    }
  });

  it('closes between native runs: the batch in progress answers and the process survives', async () => {
    // Terminating a worker inside an ONNX Runtime run aborts the whole process; close() must wait for the run.
    const own = InferencePool.ofWorkers(backboneWeightsDir(), { workers: 1, threadsPerWorker: 1 });
    const bytes = readImage(imageFiles('test', 'Barren')[0]);
    await own.infer(bytes, ['identity']);
    const running = own.infer(bytes, ['identity']);
    await new Promise((r) => setTimeout(r, 2));
    await own.close();
    assert.equal((await running).features[0].length, featureDim(DEFAULT_TRAINING_CONFIG.layers));
  });
});
