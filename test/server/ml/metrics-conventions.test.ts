/** The documented corner cases of the performance figures: 0/0, ties, per-tag and per-fold spreads. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { averagePrecision, iterationPerformance, ratio, std } from '../../../server/ml/metrics';

const close = (a: number, b: number, what: string) => assert.ok(Math.abs(a - b) < 1e-12, `${what}: ${a} vs ${b}`);

describe('metrics conventions', () => {
  it('0/0 counts as 1; a never-predicted tag has precision 1 and recall 0', () => {
    assert.equal(ratio(0, 0), 1);
    // Tag 1 is never predicted (all below 0.5) but two images carry it.
    const heldOut = [[0.9, 0.1], [0.8, 0.2], [0.7, 0.3], [0.6, 0.4]];
    const labels = [[1, 0], [1, 0], [0, 1], [0, 1]];
    const p = iterationPerformance(heldOut, labels, [0, 1, 0, 1], 0.5);
    assert.equal(p.perTagPerformance[1].precision, 1);
    assert.equal(p.perTagPerformance[1].recall, 0);
    assert.equal(p.perTagPerformance[0].precision, 0.5);
    assert.equal(p.perTagPerformance[0].recall, 1);
    // Overall micro-average: TP 2, FP 2, FN 2.
    assert.equal(p.precision, 0.5);
    assert.equal(p.recall, 0.5);
  });

  it('per-tag standard deviations are population std devs across folds', () => {
    // Fold 0: tag 0 found once out of 2 (recall 0.5); fold 1: found twice out of 2 (recall 1).
    const heldOut = [[0.9, 0.1], [0.2, 0.8], [0.9, 0.1], [0.7, 0.3], [0.1, 0.9], [0.2, 0.8]];
    const labels = [[1, 0], [1, 0], [1, 0], [1, 0], [0, 1], [0, 1]];
    const foldOf = [0, 0, 1, 1, 0, 1];
    const p = iterationPerformance(heldOut, labels, foldOf, 0.5);
    close(p.perTagPerformance[0].recall, 0.75, 'tag 0 recall');
    close(p.perTagPerformance[0].recallStdDeviation, 0.25, 'tag 0 recall std');
    // Tag 1 precision: fold 0 predicts it for images 1 (wrong) and 4 (right) -> 0.5; fold 1 for image 5 -> 1.
    close(p.perTagPerformance[1].precision, 2 / 3, 'tag 1 precision');
    close(p.perTagPerformance[1].precisionStdDeviation, 0.25, 'tag 1 precision std');
    close(std([1, 2, 3, 4]), Math.sqrt(1.25), 'std helper');
    assert.equal(std([0.7]), 0);
  });

  it('average precision groups tied scores and ignores tags without positives in the mean', () => {
    // Tied pair (one positive, one negative) first: precision 1/2 at recall 1/2; then a positive: 2/3 at recall 1.
    close(averagePrecision([0.8, 0.8, 0.5, 0.1], [true, false, true, false]), 0.5 * 0.5 + 0.5 * (2 / 3), 'ties');
    assert.equal(averagePrecision([0.3, 0.2], [false, false]), 0);
    const p = iterationPerformance([[0.9, 0.1, 0.4], [0.2, 0.8, 0.4]], [[1, 0, 0], [0, 1, 0]], [0, 1], 0.5);
    assert.equal(p.perTagPerformance[2].averagePrecision, 0);
    assert.equal(p.averagePrecision, 1, 'mean over the two tags that have images');
  });

  it('a higher threshold never lowers precision here and never raises recall', () => {
    const heldOut = [[0.95, 0.05], [0.55, 0.45], [0.3, 0.7], [0.52, 0.48], [0.1, 0.9]];
    const labels = [[1, 0], [0, 1], [0, 1], [1, 0], [0, 1]];
    const foldOf = [0, 1, 0, 1, 0];
    let last = iterationPerformance(heldOut, labels, foldOf, 0);
    assert.equal(last.recall, 1);
    for (const t of [0.5, 0.6, 0.8, 0.99]) {
      const p = iterationPerformance(heldOut, labels, foldOf, t);
      assert.ok(p.recall <= last.recall && p.precision >= last.precision, `threshold ${t}`);
      last = p;
    }
    assert.equal(last.recall, 0);
    assert.equal(last.precision, 1, 'nothing predicted: 0/0 = 1');
  });
});
