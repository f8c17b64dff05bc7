/** Cross-validation must be honest: held-out predictions come from heads that never saw those images. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { assignFolds, fitFold, trainClassifier, trainClassifierInParallel } from '../../../server/ml/crossval';
import { seededRandom } from '../../../server/ml/random';
import { predictHead } from '../../../server/ml/head';

/** Gaussian features; `signal` moves each class's mean apart (0 = features say nothing about the label). */
function synthetic(n: number, dim: number, classes: number, signal: number, seed: number) {
  const random = seededRandom(seed);
  const gauss = () => Math.sqrt(-2 * Math.log(random() + 1e-12)) * Math.cos(2 * Math.PI * random());
  const labels: number[][] = [];
  const samples = Array.from({ length: n }, (_, i) => {
    const k = i % classes;
    labels.push(Array.from({ length: classes }, (_, c) => (c === k ? 1 : 0)));
    const features = Float32Array.from({ length: dim }, (_, j) => gauss() + (j % classes === k ? signal : 0));
    return { train: [features], predict: [features] };
  });
  return { samples, labels };
}

const accuracy = (probabilities: number[][], labels: number[][]) =>
  probabilities.filter((p, i) => p.indexOf(Math.max(...p)) === labels[i].indexOf(1)).length / labels.length;

describe('trainClassifier', () => {
  it('on labels the features cannot predict, held-out accuracy stays near chance while the fitted head memorises', () => {
    // As wide as the backbone's features, with the service's default settings.
    const { samples, labels } = synthetic(300, 1280, 3, 0, 1);
    const trained = trainClassifier(samples, labels, { type: 'Multiclass' });
    const heldOut = accuracy(trained.heldOut, labels);
    const inSample = accuracy(samples.map((s) => predictHead(trained.model, s.predict[0])), labels);
    assert.ok(heldOut < 0.45, `held-out accuracy ${heldOut} must be near chance (1/3): anything higher leaks the held-out images`);
    assert.ok(inSample > heldOut + 0.3, `in-sample ${inSample} vs held-out ${heldOut}`);
  });

  it('learns a separable problem, held out', () => {
    const { samples, labels } = synthetic(150, 30, 3, 2, 2);
    const trained = trainClassifier(samples, labels, { type: 'Multiclass' });
    assert.ok(accuracy(trained.heldOut, labels) > 0.95);
    assert.ok(trained.heldOut.every((p) => Math.abs(p.reduce((a, b) => a + b, 0) - 1) < 1e-9), 'softmax rows sum to 1');
  });

  it('gives exactly the same result when half of the folds are fitted elsewhere', async () => {
    const { samples, labels } = synthetic(120, 40, 3, 1, 4);
    const options = { type: 'Multiclass' as const };
    const asked: number[][] = [];
    const parallel = await trainClassifierInParallel(samples, labels, options, async (folds) => {
      asked.push(folds);
      return folds.map((f) => fitFold(samples, labels, options, f));
    });
    assert.deepEqual(asked, [[0, 1, 2]]);
    assert.deepEqual(parallel, trainClassifier(samples, labels, options));
  });

  it('gives Multilabel heads independent probabilities', () => {
    const { samples, labels } = synthetic(90, 12, 3, 3, 3);
    const trained = trainClassifier(samples, labels, { type: 'Multilabel' });
    assert.equal(trained.model.type, 'Multilabel');
    assert.ok(trained.heldOut.every((p) => p.every((v) => v >= 0 && v <= 1)));
    assert.ok(accuracy(trained.heldOut, labels) > 0.9);
  });
});

describe('assignFolds', () => {
  it('is stratified, balanced and deterministic', () => {
    const labels = [...Array(100)].map((_, i) => (i < 70 ? [1, 0] : [0, 1]));
    const folds = assignFolds(labels, 5, 7);
    assert.deepEqual(assignFolds(labels, 5, 7), folds);
    for (let f = 0; f < 5; f++) {
      const members = folds.map((g, i) => (g === f ? i : -1)).filter((i) => i >= 0);
      assert.equal(members.length, 20);
      assert.equal(members.filter((i) => i < 70).length, 14, 'each fold holds its share of each tag');
    }
  });
});
