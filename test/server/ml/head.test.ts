/** The linear head: its gradient, its fit on synthetic problems, its serialisable model and warm starts. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  fitHead,
  headObjective,
  makeDesign,
  normalisedWeights,
  predictHead,
  targetMatrix,
  type HeadModel,
  type HeadType,
} from '../../../server/ml/head';
import { lbfgs } from '../../../server/ml/lbfgs';
import { seededRandom } from '../../../server/ml/random';

function blobs(n: number, dim: number, classes: number, separation: number, seed: number) {
  const random = seededRandom(seed);
  const gauss = () => Math.sqrt(-2 * Math.log(random() + 1e-12)) * Math.cos(2 * Math.PI * random());
  const centres = Array.from({ length: classes }, () => Array.from({ length: dim }, () => gauss() * separation));
  const X: Float32Array[] = [];
  const Y: number[][] = [];
  for (let i = 0; i < n; i++) {
    const k = i % classes;
    // A large common offset and uneven scales, as raw backbone features have.
    X.push(Float32Array.from({ length: dim }, (_, j) => 5 + (centres[k][j] + gauss()) * (1 + (j % 4))));
    Y.push(Array.from({ length: classes }, (_, c) => (c === k ? 1 : 0)));
  }
  return { X, Y };
}

const argmax = (p: number[]) => p.indexOf(Math.max(...p));

describe('headObjective', () => {
  for (const type of ['Multiclass', 'Multilabel'] as HeadType[]) {
    for (const standardise of [true, false]) {
      it(`${type} gradient matches central finite differences (standardise ${standardise})`, () => {
        const { X, Y } = blobs(40, 7, 3, 1, 11);
        if (type === 'Multilabel') Y.forEach((row, i) => (row[(i + 1) % 3] = i % 2)); // some images carry two tags
        const weights = normalisedWeights(X.length, X.map((_, i) => 1 + (i % 3)));
        const design = makeDesign(X, { standardise }, weights);
        const targets = targetMatrix(Y, type, 3);
        const random = seededRandom(5);
        const theta = Float64Array.from({ length: 3 * 7 + 3 }, () => random() - 0.5);
        const grad = new Float64Array(theta.length);
        const lambda = 0.3;
        headObjective(design, targets, weights, type, lambda, theta, grad);
        const scratch = new Float64Array(theta.length);
        const h = 1e-6;
        for (let p = 0; p < theta.length; p++) {
          const plus = Float64Array.from(theta);
          const minus = Float64Array.from(theta);
          plus[p] += h;
          minus[p] -= h;
          const numeric = (headObjective(design, targets, weights, type, lambda, plus, scratch) - headObjective(design, targets, weights, type, lambda, minus, scratch)) / (2 * h);
          assert.ok(Math.abs(numeric - grad[p]) < 1e-6 * Math.max(1, Math.abs(numeric)), `parameter ${p}: analytic ${grad[p]} vs numeric ${numeric}`);
        }
      });
    }
  }

  it('does not penalise the bias', () => {
    const { X, Y } = blobs(12, 4, 2, 1, 3);
    const w = normalisedWeights(X.length);
    const design = makeDesign(X, {}, w);
    const t = targetMatrix(Y, 'Multiclass', 2);
    const theta = new Float64Array(2 * 4 + 2);
    const g = new Float64Array(theta.length);
    theta[8] = 3; // a bias entry: no penalty change, even with a huge lambda
    const a = headObjective(design, t, w, 'Multiclass', 1e6, theta, g);
    theta[8] = 0;
    theta[9] = -3;
    assert.ok(Math.abs(a - headObjective(design, t, w, 'Multiclass', 1e6, theta, g)) < 1e-9, 'softmax is shift-invariant and the bias is free');
  });
});

describe('lbfgs', () => {
  it('minimises an ill-conditioned quadratic', () => {
    const scales = [1, 10, 100, 1000];
    const result = lbfgs((x, g) => {
      let f = 0;
      x.forEach((v, i) => {
        f += 0.5 * scales[i] * (v - i) ** 2;
        g[i] = scales[i] * (v - i);
      });
      return f;
    }, new Float64Array(4), { gradTol: 1e-8 });
    assert.ok(result.converged);
    result.x.forEach((v, i) => assert.ok(Math.abs(v - i) < 1e-6, `x${i} = ${v}`));
  });
});

describe('fitHead', () => {
  it('separates a synthetic 3-class problem and generalises to held-back samples', () => {
    const { X, Y } = blobs(240, 20, 3, 1.5, 1);
    const model = fitHead(X.slice(0, 150), Y.slice(0, 150), { type: 'Multiclass', lambda: 0.01 });
    const accuracy = (from: number, to: number) => X.slice(from, to).filter((x, i) => argmax(predictHead(model, x)) === argmax(Y[from + i])).length / (to - from);
    assert.ok(accuracy(0, 150) > 0.97, `training accuracy ${accuracy(0, 150)}`);
    assert.ok(accuracy(150, 240) > 0.9, `held-back accuracy ${accuracy(150, 240)}`);
    const p = predictHead(model, X[200]);
    assert.ok(Math.abs(p.reduce((a, b) => a + b, 0) - 1) < 1e-12, 'probabilities sum to 1');
  });

  it('gives Multilabel tags independent probabilities', () => {
    const { X, Y } = blobs(90, 6, 3, 2, 2);
    Y.forEach((row, i) => (row[2] = i % 2)); // tag 2 is noise: carried by half of each class
    const model = fitHead(X, Y, { type: 'Multilabel', lambda: 0.01 });
    const probs = X.map((x) => predictHead(model, x));
    const tag0 = probs.filter((p, i) => (p[0] >= 0.5) === (Y[i][0] === 1)).length / X.length;
    assert.ok(tag0 > 0.95, `tag 0 accuracy ${tag0}`);
    const meanTag2 = probs.reduce((a, p) => a + p[2], 0) / probs.length;
    assert.ok(Math.abs(meanTag2 - 0.5) < 0.15, `an unpredictable tag stays near its base rate, got ${meanTag2}`);
  });

  it('shrinks weights as lambda grows', () => {
    const { X, Y } = blobs(60, 10, 3, 1, 4);
    const norm = (m: HeadModel) => Math.sqrt(m.weights.reduce((a, w) => a + w * w, 0));
    const weak = fitHead(X, Y, { type: 'Multiclass', lambda: 0.01 });
    const strong = fitHead(X, Y, { type: 'Multiclass', lambda: 10 });
    assert.ok(norm(strong) < norm(weak) / 5, `${norm(strong)} vs ${norm(weak)}`);
  });

  it('serialises to plain JSON and predicts the same after a round trip', () => {
    const { X, Y } = blobs(30, 5, 3, 1, 6);
    for (const options of [{ standardise: true }, { standardise: false }, { standardise: false, l2: true }]) {
      const model = fitHead(X, Y, { type: 'Multiclass', lambda: 0.1, ...options });
      const copy = JSON.parse(JSON.stringify(model)) as HeadModel;
      assert.deepEqual(predictHead(copy, X[3]), predictHead(model, X[3]));
      assert.equal(model.weights.length, 3 * 5);
      assert.equal(model.bias.length, 3);
      if (!options.standardise) assert.equal(model.mean, undefined, 'centring is folded into the bias');
    }
  });

  it('a warm start from another feature space converges to the same model', () => {
    const { X, Y } = blobs(60, 8, 3, 1, 7);
    const cold = fitHead(X, Y, { type: 'Multiclass', lambda: 0.1, standardise: false, gradTol: 1e-9 });
    const other = fitHead(X.slice(0, 30), Y.slice(0, 30), { type: 'Multiclass', lambda: 0.1, standardise: false });
    const warm = fitHead(X, Y, { type: 'Multiclass', lambda: 0.1, standardise: false, init: other, gradTol: 1e-9 });
    for (const x of X.slice(0, 5)) {
      const a = predictHead(cold, x);
      const b = predictHead(warm, x);
      a.forEach((v, k) => assert.ok(Math.abs(v - b[k]) < 1e-5));
    }
  });
});
