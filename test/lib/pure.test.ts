/** Unit tests of the lib helpers that compute without a service: configuration, tables, charts, grids, progress. */
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import type { TrainingAPIModels } from '@azure/cognitiveservices-customvision-training';
import { loadConfig, LOCAL_DEFAULTS } from '../../lib/src/config';
import { setDisplaySink, showPlot, tableHtml } from '../../lib/src/display';
import { compareChart, confusionMatrix, performanceRows, thresholdChart } from '../../lib/src/evaluation';
import { imageGridHtml } from '../../lib/src/grid';
import { curlCommand, maskKey } from '../../lib/src/prediction';
import { progressBar } from '../../lib/src/upload';
import type { Lab } from '../../lib/src/clients';
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
    const comparison = compareChart([{ name: 'It 1', performance }, { name: 'It 2', performance }]);
    assert.equal(comparison.data.length, 4);
    assert.deepEqual(comparison.data[0].x, ['overall', 'Barren', 'Cultivated']);
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
});

describe('prediction helpers', () => {
  const lab = { config: { ...loadConfig({}, noEnvFile), predictionKey: 'secret-key-123' } } as Lab;
  it('masks keys and writes the curl command without revealing the key unless asked', () => {
    assert.equal(maskKey('secret-key-123'), 'secr••••••••');
    const curl = curlCommand(lab, 'p1', 'my model', '/x/a.png');
    assert.match(curl, /\/customvision\/v3\.1\/prediction\/p1\/classify\/iterations\/my%20model\/image\/nostore/);
    assert.match(curl, /Prediction-Key: \$PREDICTION_KEY/);
    assert.match(curlCommand(lab, 'p1', 'm', '/x/a.png', { revealKey: true }), /Prediction-Key: secret-key-123/);
  });
});
