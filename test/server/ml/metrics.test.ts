/** Custom Vision's performance figures from held-out probabilities, checked on small hand-computed cases. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { averagePrecision, iterationPerformance } from '../../../server/ml/metrics';

describe('iterationPerformance', () => {
  // Four images, two tags; fold 0 = images 0,1; fold 1 = images 2,3.
  const heldOut = [
    [0.9, 0.1], // tag 0, right
    [0.6, 0.4], // tag 1, predicted tag 0 at 0.5
    [0.2, 0.8], // tag 1, right
    [0.45, 0.55], // tag 0, predicted tag 1
  ];
  const labels = [[1, 0], [0, 1], [0, 1], [1, 0]];
  const foldOf = [0, 0, 1, 1];

  it('counts a prediction when its probability reaches the threshold; micro-averages overall', () => {
    const p = iterationPerformance(heldOut, labels, foldOf, 0.5);
    // At 0.5: predictions (0,t0) (1,t0) (2,t1) (3,t1): TP = 2, FP = 2, FN = 2.
    assert.equal(p.precision, 0.5);
    assert.equal(p.recall, 0.5);
    assert.equal(p.perTagPerformance[0].precision, 0.5); // t0 predicted for 0 (right) and 1 (wrong)
    assert.equal(p.perTagPerformance[0].recall, 0.5); // t0 images 0 (found) and 3 (missed)
    // Fold 0: TP 1, FP 1 -> 0.5; fold 1: TP 1, FP 1 -> 0.5; no spread.
    assert.equal(p.precisionStdDeviation, 0);
  });

  it('trades recall for precision as the threshold rises', () => {
    const p = iterationPerformance(heldOut, labels, foldOf, 0.85);
    // Only (0, t0) at 0.9 counts: precision 1, recall 1/4.
    assert.equal(p.precision, 1);
    assert.equal(p.recall, 0.25);
    // Fold 0 recall 1/2, fold 1 recall 0: population std 0.25.
    assert.equal(p.recallStdDeviation, 0.25);
  });

  it('computes average precision as the area under the ranked precision-recall curve', () => {
    assert.equal(averagePrecision([0.9, 0.8, 0.7], [true, true, false]), 1);
    // Ranked: pos, neg, pos -> (1/2)*1 + (1/2)*(2/3).
    assert.ok(Math.abs(averagePrecision([0.9, 0.8, 0.7], [true, false, true]) - (0.5 + 1 / 3)) < 1e-12);
  });
});
