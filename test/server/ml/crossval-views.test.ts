/** Cross-validation with augmented variants: an image's variants never straddle folds, and results are reproducible. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { assignFolds, logLoss, trainClassifier } from '../../../server/ml/crossval';
import { seededRandom } from '../../../server/ml/random';

describe('trainClassifier with augmented variants', () => {
  it('keeps all variants of an image in its fold (a leaked variant would let the head memorise it)', () => {
    // Each image has its own random direction; labels are random, so only memorising an image predicts it.
    const random = seededRandom(3);
    const n = 120;
    const dim = 200;
    const labels = Array.from({ length: n }, (_, i) => [0, 1, 2].map((k) => (k === i % 3 ? 1 : 0)));
    const samples = Array.from({ length: n }, () => {
      const base = Float32Array.from({ length: dim }, () => random() - 0.5);
      // Variants: the same image slightly perturbed, as rotations or a smaller copy of a tile are.
      const variants = [0, 1, 2, 3].map(() => Float32Array.from(base, (v) => v + 0.01 * (random() - 0.5)));
      return { train: variants, predict: variants.slice(0, 2) };
    });
    const options = { type: 'Multiclass' as const, lambdas: [1e-4], standardise: false };
    const trained = trainClassifier(samples, labels, options);
    const correct = trained.heldOut.filter((p, i) => p.indexOf(Math.max(...p)) === i % 3).length / n;
    assert.ok(correct < 0.5, `held-out accuracy ${correct} must stay near chance`);
    // And the same call gives the same answer.
    assert.deepEqual(trainClassifier(samples, labels, options).heldOut, trained.heldOut);
  });

  it('picks the lambda with the lowest held-out log-loss and reports every candidate', () => {
    const random = seededRandom(9);
    const labels = Array.from({ length: 90 }, (_, i) => [i % 2, 1 - (i % 2)]);
    const samples = labels.map((y) => {
      const features = Float32Array.from({ length: 10 }, (_, j) => (j === 0 ? 2 * y[0] : 0) + random() - 0.5);
      return { train: [features], predict: [features] };
    });
    const trained = trainClassifier(samples, labels, { type: 'Multiclass', lambdas: [100, 1e-3, 1] });
    assert.deepEqual(trained.lambdaLoss.map((l) => l.lambda), [100, 1, 1e-3]);
    const best = Math.min(...trained.lambdaLoss.map((l) => l.logLoss));
    assert.equal(trained.lambdaLoss.find((l) => l.lambda === trained.lambda)!.logLoss, best);
    assert.ok(Math.abs(logLoss(trained.heldOut, labels, 'Multiclass') - best) < 1e-12);
    assert.notEqual(trained.lambda, 100, 'an overwhelming penalty is never best on learnable data');
  });

  it('assigns folds that depend on the seed but not on the order of calls', () => {
    const labels = Array.from({ length: 50 }, (_, i) => (i % 5 === 0 ? [1, 1] : [0, 1]));
    const a = assignFolds(labels, 5, 1);
    assert.deepEqual(assignFolds(labels, 5, 1), a);
    assert.notDeepEqual(assignFolds(labels, 5, 2), a);
    // Tag combination [1,1] (10 images) spreads 2 per fold.
    for (let f = 0; f < 5; f++) assert.equal(a.filter((g, i) => g === f && i % 5 === 0).length, 2);
  });
});
