/**
 * The same features on every machine: the default backbone's features of ten lab tiles, recorded
 * once (test/fixtures/backbone-features.json), must come out within 1e-4 wherever this runs. A
 * CPU-dependent kernel (int8 arithmetic, a fast-math approximation) fails here instead of quietly
 * moving the model's answers. Re-record after a deliberate change to the backbone or its pixel
 * rules: CVLAB_RECORD_FIXTURE=1 node --import tsx --test test/server/ml/determinism.test.ts
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { backboneWeightsDir, datasetDir } from '../../../datasets/paths';
import { Backbone, embedImages } from '../../../server/ml/backbone';
import type { Variant } from '../../../server/ml/image';
import { CLASSES, imageFiles } from '../../support/dataset';

const FIXTURE = path.join(__dirname, '..', '..', 'fixtures', 'backbone-features.json');
const TOLERANCE = 1e-4;
/** Every STRIDE-th feature is recorded: a CPU-dependent kernel moves nearly all of them, and the fixture stays small. */
const STRIDE = 8;

interface Fixture {
  /** What the features came from: Backbone.fingerprint (weights, normalisation, layers, pixel rules). */
  fingerprint: string;
  variants: Variant[];
  /** Per image (path under the dataset folder): per variant, features 0, STRIDE, 2 STRIDE, ... as little-endian float32, base64. */
  images: Record<string, string[]>;
}

/** Ten tiles: three test tiles per tag and one training tile. */
function files(): string[] {
  return [...CLASSES.flatMap((c) => imageFiles('test', c).slice(0, 3)), imageFiles('train', 'Developed-SecondBatch')[0]];
}

const recorded = (f: Float32Array) => f.filter((_, j) => j % STRIDE === 0);
const encode = (f: Float32Array) => Buffer.from(f.buffer, f.byteOffset, f.byteLength).toString('base64');
const decode = (s: string) => {
  const bytes = Buffer.from(s, 'base64');
  return new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
};

describe('backbone features are the same on every machine', () => {
  let backbone: Backbone;
  before(async () => {
    backbone = await Backbone.load(backboneWeightsDir());
  });
  after(async () => {
    await backbone.close();
  });

  it(`match the recorded features of ten lab tiles to ${TOLERANCE}, at 224 px and at a training scale`, async (t) => {
    const variants: Variant[] = [
      { view: 'identity', size: 224 },
      { view: 'rot180', size: 224 },
      { view: 'identity', size: 112 },
    ];
    const paths = files();
    const features = await embedImages(backbone, paths.map((f) => readFileSync(f)), variants);
    const names = paths.map((f) => path.relative(datasetDir(), f));
    if (process.env.CVLAB_RECORD_FIXTURE === '1') {
      const fixture: Fixture = { fingerprint: backbone.fingerprint, variants, images: Object.fromEntries(names.map((n, i) => [n, features[i].map((f) => encode(recorded(f)))])) };
      writeFileSync(FIXTURE, `${JSON.stringify(fixture, null, 1)}\n`);
    }
    const fixture = JSON.parse(readFileSync(FIXTURE, 'utf8')) as Fixture;
    assert.equal(backbone.fingerprint, fixture.fingerprint, 'the backbone itself changed (weights, normalisation, layers or pixel rules): re-record the fixture (see the top of this file)');
    assert.deepEqual(variants, fixture.variants);
    assert.deepEqual(names, Object.keys(fixture.images));
    let worst = 0;
    names.forEach((name, i) =>
      fixture.images[name].map(decode).forEach((want, v) => {
        const got = recorded(features[i][v]);
        assert.equal(got.length, want.length);
        for (let j = 0; j < want.length; j++) {
          const difference = Math.abs(got[j] - want[j]);
          worst = Math.max(worst, difference);
          assert.ok(difference <= TOLERANCE, `${name} ${variants[v].view}@${variants[v].size}, feature ${j * STRIDE}: ${got[j]} here, ${want[j]} recorded`);
        }
      }),
    );
    t.diagnostic(`largest difference to the recorded features: ${worst.toExponential(2)}`);
  });
});
