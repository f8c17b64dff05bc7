/** Smoke test on real aerial tiles: the default backbone and head, end to end, on a small slice of the dataset. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { backboneWeightsDir } from '../../../datasets/paths';
import { Backbone, embedImages, featureKey } from '../../../server/ml/backbone';
import { predictVariants, trainVariants } from '../../../server/ml/config';
import { trainClassifier } from '../../../server/ml/crossval';
import { predictViews } from '../../../server/ml/head';
import { decodeRgb, fullSize, scaleRgb } from '../../../server/ml/image';
import { iterationPerformance } from '../../../server/ml/metrics';
import { CLASSES, imageFiles } from '../../support/dataset';

describe('Backbone on real images', () => {
  let backbone: Backbone;
  before(async () => {
    backbone = await Backbone.load(backboneWeightsDir());
  });
  after(async () => {
    await backbone.close();
  });

  it('embeds every variant of every image into finite features, deterministically', async () => {
    const images = CLASSES.map((c) => readFileSync(imageFiles('train', c)[0]));
    const variants = [...fullSize(['identity', 'flip']), { view: 'identity' as const, size: 112 }];
    const features = await embedImages(backbone, images, variants);
    assert.equal(features.length, 3);
    for (const row of features) {
      assert.equal(row.length, 3);
      for (const f of row) {
        assert.equal(f.length, backbone.dim);
        assert.ok(f.every(Number.isFinite));
      }
      assert.notDeepEqual(row[0], row[1], 'a flipped tile gives other features');
      assert.notDeepEqual(row[0], row[2], 'so does the same tile at 112 px');
    }
    assert.notDeepEqual(features[0][0], features[2][0]);
    assert.deepEqual((await embedImages(backbone, images.slice(0, 1), fullSize(['identity'])))[0][0], features[0][0]);
    // A scaled variant is the network run on the scaled pixels.
    const small = await scaleRgb(await decodeRgb(images[1]), 112);
    assert.deepEqual((await backbone.embedPixels([{ rgb: small, view: 'identity' }], 112))[0], features[1][2]);
  });

  it('has a fingerprint that changes with the normalisation and the layers', async () => {
    assert.match(backbone.fingerprint, /^[0-9a-f]{64}$/);
    const other = await Backbone.load(backboneWeightsDir(), { preprocess: { colour: backbone.preprocess.colour === 'imagenet' ? 'gray-world' : 'imagenet' } });
    const layers = await Backbone.load(backboneWeightsDir(), { layers: ['stage320', 'final'] });
    assert.notEqual(other.fingerprint, backbone.fingerprint);
    assert.notEqual(layers.fingerprint, backbone.fingerprint);
    assert.equal(layers.dim, 320 + 1280);
    assert.notEqual(featureKey(backbone.fingerprint, fullSize(['identity'])), featureKey(backbone.fingerprint, fullSize(['identity', 'flip'])));
    assert.notEqual(featureKey(backbone.fingerprint, fullSize(['identity'])), featureKey(backbone.fingerprint, [{ view: 'identity', size: 112 }]));
    await other.close();
    await layers.close();
    await assert.rejects(other.embed([new Float32Array(3 * 224 * 224)]), /closed/);
  });

  it('trains the default head on 60 tiles and classifies unseen ones', async () => {
    const train = CLASSES.flatMap((c, k) => imageFiles('train', c).slice(0, 20).map((file) => ({ file, k })));
    const unseen = CLASSES.flatMap((c, k) => imageFiles('train', c).slice(100, 104).map((file) => ({ file, k })));
    const trainAs = trainVariants();
    const predictAs = predictVariants();
    const feats = await embedImages(backbone, train.map((t) => readFileSync(t.file)), [...trainAs, ...predictAs]);
    const samples = feats.map((f) => ({ train: f.slice(0, trainAs.length), predict: f.slice(trainAs.length) }));
    const labels = train.map((t) => CLASSES.map((_, j) => (j === t.k ? 1 : 0)));
    const trained = trainClassifier(samples, labels, { type: 'Multiclass' });
    const perf = iterationPerformance(trained.heldOut, labels, trained.foldOf, 0.5);
    assert.ok(perf.precision > 0.8 && perf.recall > 0.8, `CV precision ${perf.precision}, recall ${perf.recall}`);
    const test = await embedImages(backbone, unseen.map((t) => readFileSync(t.file)), predictAs);
    const correct = test.filter((views, i) => {
      const p = predictViews(trained.model, views);
      return p.indexOf(Math.max(...p)) === unseen[i].k;
    }).length;
    assert.ok(correct >= 10, `${correct}/12 unseen tiles right`);
  });
});
