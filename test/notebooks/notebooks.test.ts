/**
 * The three lab notebooks, executed headless on the tslab kernel (Debian's nbconvert and nbclient)
 * against the local service on the real dataset; then their HTML opened in headless Chromium,
 * offline, where every chart must have been drawn. Executed notebooks, HTML and screenshots land
 * in out/notebooks-test/lab/.
 */
import assert from 'node:assert/strict';
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { PROJECT_ROOT } from '../../lib/src/shared';
import { buildLib } from '../../scripts/lab/build-lib';
import { executeLabNotebook, NOTEBOOKS, type LabRunOptions } from '../../scripts/lab/notebooks';
import { withOfflinePage } from '../support/browser';
import { notebookPrerequisite, skipUnlessRequired } from '../support/prerequisites';
import { imageFiles, CLASSES, readImage } from '../support/dataset';
import { PREDICTION_KEY, startServiceProcess, TRAINING_KEY, type ServiceProcess } from '../support/service-process';
import { predictionClient } from '../support/sdk';

const OUT = path.join(PROJECT_ROOT, 'out', 'notebooks-test', 'lab');

interface Output {
  output_type: string;
  name?: string;
  text?: string | string[];
  data?: Record<string, string | string[]>;
}
interface Notebook {
  cells: { cell_type: string; source: string | string[]; outputs?: Output[] }[];
}
const joined = (t: string | string[] | undefined) => (Array.isArray(t) ? t.join('') : (t ?? ''));

function outputsOf(notebook: string): { stdout: string; html: string[]; errors: Output[] } {
  const nb = JSON.parse(readFileSync(notebook, 'utf8')) as Notebook;
  const outputs = nb.cells.flatMap((c) => c.outputs ?? []);
  return {
    stdout: outputs.filter((o) => o.output_type === 'stream').map((o) => joined(o.text)).join(''),
    html: outputs.filter((o) => o.data?.['text/html']).map((o) => joined(o.data?.['text/html'])),
    errors: outputs.filter((o) => o.output_type === 'error' || (o.output_type === 'stream' && o.name === 'stderr')),
  };
}

describe('the lab notebooks, executed headless against the local service', async () => {
  const missing = await notebookPrerequisite({ browser: true });
  const skip = skipUnlessRequired(missing, 'JUPYTER');
  let service: ServiceProcess;
  const executed: Record<string, { notebook: string; html: string }> = {};
  // The lab's own execution path, against this test's service, with a shorter time limit per cell.
  const run = (): LabRunOptions => ({
    outDir: OUT,
    cellTimeoutInSeconds: 600,
    env: { CVLAB_LOCAL_ENDPOINT: service.url, CVLAB_TRAINING_KEY: TRAINING_KEY, CVLAB_PREDICTION_KEY: PREDICTION_KEY },
  });

  before(async () => {
    if (skip) return;
    assert.equal(missing, undefined, missing);
    await buildLib();
    service = await startServiceProcess();
  });
  after(async () => {
    await service?.stop();
  });

  it('notebook 1 trains, evaluates and improves: no error, iteration 2 at least as good as iteration 1', { skip, timeout: 900_000 }, async () => {
    executed[NOTEBOOKS[0]] = await executeLabNotebook(NOTEBOOKS[0], run());
    const { stdout, errors, html } = outputsOf(executed[NOTEBOOKS[0]].notebook);
    assert.deepEqual(errors, []);
    assert.match(stdout, /Using the local Custom Vision service/);
    const figures = [...stdout.matchAll(/^Iteration (\d): precision ([\d.]+)%, recall ([\d.]+)%/gm)].map((m) => ({ n: Number(m[1]), precision: Number(m[2]), recall: Number(m[3]) }));
    const first = figures.find((f) => f.n === 1);
    const second = figures.find((f) => f.n === 2);
    assert.ok(first && second, stdout);
    assert.ok(second.precision >= first.precision && second.recall >= first.recall, JSON.stringify(figures));
    assert.match(stdout, /look mislabelled/);
    assert.ok(html.some((h) => h.includes('cvlab-grid')), 'the quick test shows an image grid');
  });

  it('notebook 2 publishes and predicts: the grid shows the endpoint\'s answers', { skip, timeout: 600_000 }, async () => {
    executed[NOTEBOOKS[1]] = await executeLabNotebook(NOTEBOOKS[1], run());
    const { stdout, errors, html } = outputsOf(executed[NOTEBOOKS[1]].notebook);
    assert.deepEqual(errors, []);
    assert.match(stdout, /"predictions": \[/, 'the raw JSON is shown');
    assert.match(stdout, /curl -sS -X POST/);
    const grid = html.find((h) => h.includes('cvlab-grid')) ?? '';
    const shown = new Map([...grid.matchAll(/([a-z]+-\d+\.png)<br\/>(\w+) [\d.]+%/g)].map((m) => [m[1], m[2]]));
    assert.equal(shown.size, 30, 'the grid shows the 30 test images');
    const projectId = /Project "[^"]+" \(([0-9a-f-]{36})\)/.exec(stdout)?.[1] as string;
    const predictor = predictionClient(service.url);
    for (const file of CLASSES.flatMap((c) => imageFiles('test', c))) {
      const answer = await predictor.classifyImageWithNoStore(projectId, 'aerial-classifier', readImage(file));
      assert.equal(shown.get(path.basename(file)), answer.predictions?.[0].tagName, path.basename(file));
    }
  });

  it('notebook 3 exports: the package was downloaded and the local ONNX run agrees with the endpoint', { skip, timeout: 900_000 }, async () => {
    executed[NOTEBOOKS[2]] = await executeLabNotebook(NOTEBOOKS[2], run());
    const { stdout, errors } = outputsOf(executed[NOTEBOOKS[2]].notebook);
    assert.deepEqual(errors, []);
    const zip = /^(exports\/[0-9a-f]{32}\.ONNX\.zip):/m.exec(stdout)?.[1];
    assert.ok(zip && statSync(path.join(PROJECT_ROOT, 'notebooks', zip)).size > 1_000_000, 'the ONNX package was downloaded');
    assert.match(stdout, /model\.onnx/);
    const difference = Number(/largest difference between the exported model and the endpoint: (\S+)/.exec(stdout)?.[1]);
    assert.ok(difference <= 1e-4, `difference ${difference}`);
    assert.match(stdout, /app\/server\.js/, 'the Docker package was unzipped');
  });

  it('every chart of the executed notebooks renders in Chromium, offline; screenshots are saved', { skip, timeout: 600_000 }, async () => {
    let charts = 0;
    for (const name of NOTEBOOKS) {
      const { html } = executed[name] ?? {};
      assert.ok(html, `${name} was executed`);
      await withOfflinePage(html, async ({ page, errors }) => {
        const expected = await page.locator('.cvlab-plot').count();
        if (expected > 0) await page.locator('.cvlab-plot .main-svg').nth(expected - 1).waitFor({ state: 'attached', timeout: 60_000 });
        const drawn = await page.locator('.cvlab-plot').evaluateAll((els) => els.filter((el) => el.querySelector('.main-svg')).length);
        assert.equal(drawn, expected, `${name}: ${drawn} of ${expected} charts drawn`);
        const brokenImages = await page.locator('.cvlab-grid img').evaluateAll((imgs) => imgs.filter((img) => !(img as unknown as { naturalWidth: number }).naturalWidth).length);
        assert.equal(brokenImages, 0, `${name}: every grid image loads`);
        assert.deepEqual(errors, [], `${name}: no script errors`);
        const screenshot = path.join(OUT, name.replace('.ipynb', '.png'));
        await page.screenshot({ path: screenshot, fullPage: true });
        assert.ok(statSync(screenshot).size > 10_000);
        charts += expected;
      });
    }
    assert.ok(charts >= 5, `${charts} charts in all`);
  });
});
