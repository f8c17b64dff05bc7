/** Smoke test on real aerial tiles: the default backbone and head, end to end, on a small slice of the dataset. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { backbonePath } from '../../../datasets/paths';
import { Backbone, embedImages, featureKey } from '../../../server/ml/backbone';
import { configViews } from '../../../server/ml/config';
import { trainClassifier } from '../../../server/ml/crossval';
import { FEATURE_DIM } from '../../../server/ml/graph';
import { predictHead } from '../../../server/ml/head';
import { iterationPerformance } from '../../../server/ml/metrics';
import { CLASSES, imageFiles } from '../../support/dataset';

describe('Backbone on real images', () => {
  let backbone: Backbone;
  before(async () => {
    backbone = await Backbone.load(backbonePath());
  });
  after(async () => {
    await backbone.close();
  });

  it('embeds every view of every image into finite features, deterministically', async () => {
    const images = CLASSES.map((c) => readFileSync(imageFiles('train', c)[0]));
    const features = await embedImages(backbone, images, ['identity', 'flip']);
    assert.equal(features.length, 3);
    for (const views of features) {
      assert.equal(views.length, 2);
      for (const f of views) {
        assert.equal(f.length, FEATURE_DIM);
        assert.ok(f.every(Number.isFinite));
      }
      assert.notDeepEqual(views[0], views[1], 'a flipped tile gives other features');
    }
    assert.notDeepEqual(features[0][0], features[2][0]);
    assert.deepEqual((await embedImages(backbone, images.slice(0, 1), ['identity']))[0][0], features[0][0]);
  });

  it('has a fingerprint that changes with the preprocessing and the feature kind', async () => {
    assert.match(backbone.fingerprint, /^[0-9a-f]{64}$/);
    const other = await Backbone.load(backbonePath(), { preprocess: { colour: backbone.preprocess.colour === 'imagenet' ? 'per-image' : 'imagenet' } });
    const pooled = await Backbone.load(backbonePath(), { features: backbone.features === 'pooled' ? 'imagenet-logits' : 'pooled' });
    assert.notEqual(other.fingerprint, backbone.fingerprint);
    assert.notEqual(pooled.fingerprint, backbone.fingerprint);
    assert.notEqual(featureKey(backbone.fingerprint, ['identity']), featureKey(backbone.fingerprint, ['identity', 'flip']));
    await other.close();
    await pooled.close();
    await assert.rejects(other.embed([new Float32Array(3 * 224 * 224)]), /closed/);
  });

  it('trains the default head on 60 tiles and classifies unseen ones', async () => {
    const views = configViews();
    const train = CLASSES.flatMap((c, k) => imageFiles('train', c).slice(0, 20).map((file) => ({ file, k })));
    const unseen = CLASSES.flatMap((c, k) => imageFiles('train', c).slice(100, 104).map((file) => ({ file, k })));
    const feats = await embedImages(backbone, train.map((t) => readFileSync(t.file)), views);
    const labels = train.map((t) => CLASSES.map((_, j) => (j === t.k ? 1 : 0)));
    const trained = trainClassifier(feats.map((v) => ({ views: v })), labels, { type: 'Multiclass' });
    const perf = iterationPerformance(trained.heldOut, labels, trained.foldOf, 0.5);
    assert.ok(perf.precision > 0.8 && perf.recall > 0.8, `CV precision ${perf.precision}, recall ${perf.recall}`);
    const test = await embedImages(backbone, unseen.map((t) => readFileSync(t.file)), views.slice(0, 1));
    const correct = test.filter((v, i) => {
      const p = predictHead(trained.model, v[0]);
      return p.indexOf(Math.max(...p)) === unseen[i].k;
    }).length;
    assert.ok(correct >= 10, `${correct}/12 unseen tiles right`);
  });
});
