/** Unit tests of the lib helpers that compute without a service: configuration, tables, charts, comparisons, grids, progress. */
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it, type TestContext } from 'node:test';
import type { TrainingAPIModels } from '@azure/cognitiveservices-customvision-training';
import { idOf } from '../../lib/src/clients';
import { loadConfig, LOCAL_DEFAULTS } from '../../lib/src/config';
import { setDisplaySink, showPlot, tableHtml } from '../../lib/src/display';
import { compareChart, comparisonSentence, confusionMatrix, performanceRows, perTagComparisonChart, showComparison, showPerformance, thresholdChart, type IterationResults } from '../../lib/src/evaluation';
import { imageGridHtml, showTestResults, type TestResult } from '../../lib/src/grid';
import { curlCommand, predictionUrl } from '../../lib/src/prediction';
import { batchProgress, progressBar } from '../../lib/src/upload';
import { imageFiles } from '../support/dataset';

const noEnvFile = path.join(os.tmpdir(), 'no-such-dir', '.env');

describe('loadConfig', () => {
  it('defaults to the local service with the documented keys', () => {
    const config = loadConfig({}, noEnvFile);
    assert.equal(config.kind, 'local');
    assert.equal(config.trainingEndpoint, LOCAL_DEFAULTS.endpoint);
    assert.equal(config.trainingKey, 'local-training-key');
    assert.equal(config.predictionKey, 'local-prediction-key');
  });

  it('uses Azure when the endpoint and key are set; the prediction settings default to the training ones', () => {
    const config = loadConfig(
      { VISION_TRAINING_ENDPOINT: 'https://x.cognitiveservices.azure.com/', VISION_TRAINING_KEY: 'k', VISION_PREDICTION_RESOURCE_ID: '/subscriptions/s/x' },
      noEnvFile,
    );
    assert.equal(config.kind, 'azure');
    assert.equal(config.trainingEndpoint, 'https://x.cognitiveservices.azure.com');
    assert.equal(config.predictionEndpoint, config.trainingEndpoint);
    assert.equal(config.predictionKey, 'k');
  });

  it('reads a .env file, and real environment variables win over it', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'env-'));
    writeFileSync(path.join(dir, '.env'), 'VISION_TRAINING_ENDPOINT=https://a.example\nVISION_TRAINING_KEY="from-file"\nVISION_PREDICTION_RESOURCE_ID=/r\n');
    assert.equal(loadConfig({}, path.join(dir, '.env')).trainingKey, 'from-file');
    assert.equal(loadConfig({ VISION_TRAINING_KEY: 'from-env' }, path.join(dir, '.env')).trainingKey, 'from-env');
  });

  it('asks for the prediction resource id Azure publishing needs', () => {
    assert.throws(() => loadConfig({ VISION_TRAINING_ENDPOINT: 'https://x', VISION_TRAINING_KEY: 'k' }, noEnvFile), /VISION_PREDICTION_RESOURCE_ID/);
  });
});

const performance = {
  precision: 0.97,
  recall: 0.96,
  precisionStdDeviation: 0.01,
  recallStdDeviation: 0.02,
  averagePrecision: 0.99,
  perTagPerformance: [
    { id: 'a', name: 'Barren', precision: 1, recall: 0.99, precisionStdDeviation: 0, recallStdDeviation: 0.01, averagePrecision: 1 },
    { id: 'b', name: 'Cultivated', precision: 0.9, recall: 0.95, precisionStdDeviation: 0.02, recallStdDeviation: 0.01, averagePrecision: 0.97 },
  ],
} as TrainingAPIModels.IterationPerformance;

describe('evaluation helpers', () => {
  it('lays performance out as rows, overall first', () => {
    const { headers, rows } = performanceRows(performance);
    assert.deepEqual(headers, ['', 'precision', 'recall', 'average precision']);
    assert.deepEqual(rows[0], ['overall', '97.0% ± 1.0%', '96.0% ± 2.0%', '99.0%']);
    assert.equal(rows[2][0], 'Cultivated');
  });

  it('counts the confusion matrix from the top held-out prediction of each image', () => {
    const image = (truth: string, predicted: string) =>
      ({ tags: [{ tagName: truth }], predictions: [{ tagName: predicted, probability: 0.9 }] }) as TrainingAPIModels.ImagePerformance;
    const matrix = confusionMatrix([image('A', 'A'), image('A', 'B'), image('B', 'B'), image('B', 'B'), image('C', 'A')], ['A', 'B', 'C']);
    assert.deepEqual(matrix, [[1, 1, 0], [0, 2, 0], [1, 0, 0]]);
  });

  it('builds threshold and comparison charts with one trace per series', () => {
    const chart = thresholdChart([{ threshold: 0.5, precision: 0.9, recall: 0.8 }, { threshold: 0.9, precision: 0.95, recall: 0.6 }]);
    assert.deepEqual(chart.data.map((t) => t.name), ['precision', 'recall']);
    assert.deepEqual(chart.data[1].y, [0.8, 0.6]);
    const comparison = compareChart([results('Iteration 1', performance, [1, 1, 0]), results('Iteration 2', performance, [1, 1, 1])]);
    assert.deepEqual(comparison.data.map((t) => t.name), ['Iteration 1', 'Iteration 2']);
    assert.deepEqual(comparison.data[0].x, ['precision (cross-validated)', 'recall (cross-validated)', 'top-1 on the test images']);
    assert.deepEqual(comparison.data[1].y, [0.97, 0.96, 1]);
    const perTag = perTagComparisonChart([results('Iteration 1', performance, []), results('Iteration 2', performance, [])]);
    assert.deepEqual(perTag.data.map((t) => t.name), ['Iteration 1 precision', 'Iteration 1 recall', 'Iteration 2 precision', 'Iteration 2 recall']);
    assert.deepEqual(perTag.data[1].x, ['Barren', 'Cultivated']);
    assert.deepEqual(perTag.data[1].y, [0.99, 0.95]);
  });
});

describe('display helpers', () => {
  it('escapes table cells', () => {
    assert.match(tableHtml(['<b>'], [['a & b']]), /&lt;b&gt;.*a &amp; b/);
  });

  it('embeds plotly.js in the first chart only, and offers the plotly mime type', () => {
    const bundles: Record<string, unknown>[] = [];
    setDisplaySink((b) => bundles.push(b));
    try {
      showPlot({ data: [{ type: 'bar', x: [1], y: [2] }] });
      showPlot({ data: [{ type: 'bar', x: [1], y: [3] }] });
    } finally {
      setDisplaySink(undefined);
    }
    assert.equal(bundles.length, 2);
    assert.ok((bundles[0]['text/html'] as string).length > 1_000_000, 'the first chart carries plotly.js');
    assert.ok((bundles[1]['text/html'] as string).length < 10_000, 'later charts do not');
    assert.deepEqual((bundles[1]['application/vnd.plotly.v1+json'] as { data: unknown[] }).data, [{ type: 'bar', x: [1], y: [3] }]);
  });

  it('embeds grid images as data URIs with escaped captions and frames', async () => {
    const html = await imageGridHtml([{ source: imageFiles('test', 'Barren')[0], caption: 'true: <Barren>\nok', correct: false }], { size: 64 });
    assert.match(html, /src="data:image\/jpeg;base64,/);
    assert.match(html, /true: &lt;Barren&gt;<br\/>ok/);
    assert.match(html, /#d22/);
  });

  it('draws a progress bar', () => {
    assert.equal(progressBar(5, 10, 10), '[#####-----] 5/10');
    assert.equal(progressBar(0, 0, 4), '[####] 0/0');
  });

  it('describes a batch createImagesFromFiles answered, with each failure', () => {
    const summary = { isBatchSuccessful: false, images: [{ status: 'OK' }, { status: 'OKDuplicate' }, { status: 'OK' }, { status: 'ErrorImageFormat', sourceUrl: 'x.png' }] } as TrainingAPIModels.ImageCreateSummary;
    assert.equal(batchProgress('Barren', 64, 150, summary), `Barren                 ${progressBar(64, 150)}  this batch: 2 new, 1 already there\n  ! x.png: ErrorImageFormat`);
  });
});

describe('ids', () => {
  it('takes the object the SDK returned or its id, and says which is missing one', () => {
    assert.equal(idOf('p1', 'project'), 'p1');
    assert.equal(idOf({ id: 'p2', name: 'x' } as { id?: string }, 'project'), 'p2');
    assert.throws(() => idOf({}, 'iteration'), /The iteration has no id/);
  });
});

describe('prediction helpers', () => {
  const lab = { config: { ...loadConfig({}, noEnvFile), predictionKey: 'secret-key-123' } };
  it('builds the prediction URL, nostore unless asked', () => {
    assert.equal(predictionUrl(lab, { id: 'p1' }, 'm', 'url'), `${LOCAL_DEFAULTS.endpoint}/customvision/v3.1/prediction/p1/classify/iterations/m/url/nostore`);
    assert.match(predictionUrl(lab, 'p1', 'm', 'image', { store: true }), /\/iterations\/m\/image$/);
  });

  it('writes the curl command without revealing the key unless asked', () => {
    const curl = curlCommand(lab, 'p1', 'my model', '/x/a.png');
    assert.match(curl, /\/customvision\/v3\.1\/prediction\/p1\/classify\/iterations\/my%20model\/image\/nostore/);
    assert.match(curl, /Prediction-Key: \$PREDICTION_KEY/);
    assert.match(curlCommand(lab, 'p1', 'm', '/x/a.png', { revealKey: true }), /Prediction-Key: secret-key-123/);
  });
});

/** An iteration's results with test answers right (1) or wrong (0), in order; predictions deliberately unsorted. */
function results(name: string, p: TrainingAPIModels.IterationPerformance, right: number[]): IterationResults {
  const testResults: TestResult[] = right.map((ok, i) => ({
    file: `/t/barren-${i + 1}.png`,
    tag: 'Barren',
    answer: { predictions: [{ tagName: 'Cultivated', probability: ok ? 0.1 : 0.8 }, { tagName: 'Barren', probability: ok ? 0.9 : 0.2 }] },
  }));
  return { iteration: { name } as TrainingAPIModels.Iteration, performance: p, testResults };
}

/** Captures console.log lines and displayed bundles while `run` runs. */
async function captured(t: TestContext, run: () => unknown): Promise<{ lines: string[]; bundles: Record<string, unknown>[] }> {
  const lines: string[] = [];
  const bundles: Record<string, unknown>[] = [];
  t.mock.method(console, 'log', (line: unknown) => lines.push(String(line)));
  setDisplaySink((b) => bundles.push(b));
  try {
    await run();
  } finally {
    setDisplaySink(undefined);
    t.mock.restoreAll();
  }
  return { lines, bundles };
}

describe('showing evaluations', () => {
  const better = { ...performance, precision: 0.99, recall: 0.985 } as TrainingAPIModels.IterationPerformance;

  it('showPerformance names the threshold of its options in the line and the table', async (t) => {
    const { lines, bundles } = await captured(t, () => showPerformance({ name: 'Iteration 1' } as TrainingAPIModels.Iteration, performance, { threshold: 0.7 }));
    assert.deepEqual(lines, ['Iteration 1: precision 97.0%, recall 96.0%, average precision 99.0% at threshold 0.7']);
    assert.match(bundles[0]['text/html'] as string, /Iteration 1 at probability threshold 0\.7 \(cross-validated\)/);
    assert.equal(bundles.length, 2, 'a table and a chart');
  });

  it('says what the test images add to the cross-validated difference', () => {
    const it1 = results('Iteration 1', performance, Array.from({ length: 30 }, (_, i) => (i < 27 ? 1 : 0)));
    const same = results('Iteration 2', better, Array.from({ length: 30 }, (_, i) => (i < 28 ? 1 : 0)));
    const more = results('Iteration 2', better, Array.from({ length: 30 }, (_, i) => (i < 29 ? 1 : 0)));
    const fewer = results('Iteration 2', better, Array.from({ length: 30 }, (_, i) => (i < 25 ? 1 : 0)));
    assert.match(comparisonSentence(it1, same), /^Cross-validated precision moved by 2\.0 points and recall by 2\.5 points; on the 30 test images from other regions, Iteration 1 gets 27 right and Iteration 2 28 \(one image is 3\.3 points\): so few images cannot tell the two apart/);
    assert.match(comparisonSentence(it1, more), /Iteration 2 also does better on regions it never saw/);
    assert.match(comparisonSentence(it1, fewer), /Iteration 2 does worse on regions it never saw/);
  });

  it('showComparison prints each iteration on both measures, the sentence and the test images whose answer changed', async (t) => {
    const { lines, bundles } = await captured(t, () => showComparison([results('Iteration 1', performance, [1, 0, 1]), results('Iteration 2', better, [1, 1, 1])], { threshold: 0.6 }));
    assert.equal(lines[0], 'Iteration 1: precision 97.0%, recall 96.0% (cross-validated); 2/3 test images right');
    assert.equal(lines[1], 'Iteration 2: precision 99.0%, recall 98.5% (cross-validated); 3/3 test images right');
    assert.match(lines[2], /^Cross-validated precision moved by 2\.0 points/);
    assert.deepEqual(lines.slice(3), ['  barren-2.png (Barren): Iteration 1 said Cultivated, Iteration 2 says Barren']);
    assert.match(bundles[0]['text/html'] as string, /Iterations compared \(threshold 0\.6\).*2\/3 = 66\.7%.*3\/3 = 100\.0%/s);
    assert.equal(bundles.length, 3, 'the table, the chart of both measures, the chart per tag');
  });

  it('showTestResults counts the most probable tag, whatever the order of the predictions', async (t) => {
    const { lines, bundles } = await captured(t, () =>
      showTestResults([{ file: imageFiles('test', 'Barren')[0], tag: 'Barren', answer: { predictions: [{ tagName: 'Developed', probability: 0.3 }, { tagName: 'Barren', probability: 0.7 }] } }]),
    );
    assert.deepEqual(lines, ['1/1 test images predicted right']);
    assert.match(bundles[0]['text/html'] as string, /barren-1\.png<br\/>Barren 70\.0%/);
  });
});
