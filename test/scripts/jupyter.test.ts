/**
 * @module Runs the smoke notebook headless on the tslab kernel through scripts/jupyter.ts, checks its
 * outputs, then opens the HTML export in headless Chromium, offline, and checks plotly drew its SVG.
 *
 * Needs Debian's packages from scripts/apt-packages.txt; without them the tests are skipped
 * (set CVLAB_REQUIRE_JUPYTER=1 to make that a failure). Outputs land in out/notebooks-test/.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, promises as fsp, readdirSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { chromium } from 'playwright-core';
import {
  NotebookExecutionError,
  PROJECT_ROOT,
  executeNotebook,
  findJupyter,
  installHint,
} from '../../scripts/jupyter';

const CHROMIUM = '/usr/bin/chromium';
const SMOKE = path.join(PROJECT_ROOT, 'test', 'fixtures', 'notebooks', 'smoke.ipynb');
const OUT = path.join(PROJECT_ROOT, 'out', 'notebooks-test');
const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];

interface Output {
  output_type: string;
  name?: string;
  text?: string | string[];
  data?: Record<string, unknown>;
  ename?: string;
  evalue?: string;
}
interface Notebook {
  cells: Array<{ cell_type: string; id?: string; source: string | string[]; outputs?: Output[] }>;
}

const joined = (text: string | string[] | undefined): string => (Array.isArray(text) ? text.join('') : (text ?? ''));

/** Why these tests cannot run here, or undefined when they can. */
async function missingPrerequisite(): Promise<string | undefined> {
  const install = await findJupyter();
  if (install === undefined || install.nbconvert === undefined || install.nbclient === undefined) {
    return `no Jupyter nbconvert/nbclient.\n${installHint()}`;
  }
  if (!existsSync(CHROMIUM)) return `no ${CHROMIUM} (apt-get install chromium).`;
  return undefined;
}

/** Builds lib/ (the `cvlab` package the notebooks import) when lib/dist is missing or older than lib/src. */
function buildLibIfStale(): void {
  const lib = path.join(PROJECT_ROOT, 'lib');
  const built = path.join(lib, 'dist', 'index.js');
  const newest = (dir: string): number =>
    readdirSync(dir, { withFileTypes: true }).reduce((max, e) => {
      const p = path.join(dir, e.name);
      return Math.max(max, e.isDirectory() ? newest(p) : statSync(p).mtimeMs);
    }, 0);
  if (existsSync(built) && statSync(built).mtimeMs >= newest(path.join(lib, 'src'))) return;
  const res = spawnSync(path.join(PROJECT_ROOT, 'node_modules', '.bin', 'tsc'), ['-p', lib], {
    cwd: PROJECT_ROOT,
    encoding: 'utf8',
  });
  assert.equal(res.status, 0, `tsc -p lib failed:\n${res.stdout}${res.stderr}`);
}

describe('scripts/jupyter.ts on the tslab kernel', async () => {
  const missing = await missingPrerequisite();
  const skip =
    missing !== undefined && process.env.CVLAB_REQUIRE_JUPYTER !== '1'
      ? 'Jupyter/Chromium missing: apt-get install --no-install-recommends $(cat scripts/apt-packages.txt)'
      : false;
  const scratch = mkdtempSync(path.join(os.tmpdir(), 'cvlab-jupyter-test-'));

  before(() => {
    if (skip !== false) return;
    assert.equal(missing, undefined, missing);
    buildLibIfStale();
  });
  after(() => rmSync(scratch, { recursive: true, force: true }));

  test('executes the smoke notebook and its HTML draws the plotly chart offline', { skip, timeout: 600_000 }, async (t) => {
    const started = Date.now();
    const { notebook, html } = await executeNotebook(SMOKE, OUT, { timeoutInSeconds: 120 });
    t.diagnostic(`executeNotebook(smoke): ${((Date.now() - started) / 1000).toFixed(1)} s`);
    assert.equal(notebook, path.join(OUT, 'smoke.ipynb'));
    assert.equal(html, path.join(OUT, 'smoke.html'));

    const nb = JSON.parse(await fsp.readFile(notebook, 'utf8')) as Notebook;
    const outputs = nb.cells.flatMap((c) => c.outputs ?? []);
    assert.deepEqual(outputs.filter((o) => o.output_type === 'error'), [], 'no error outputs');
    const stderr = outputs.filter((o) => o.output_type === 'stream' && o.name === 'stderr').map((o) => joined(o.text));
    assert.deepEqual(stderr, [], 'nothing on stderr');

    const hello = nb.cells.find((c) => c.id === 'hello');
    assert.ok(hello, 'the hello cell');
    const stdout = (hello.outputs ?? []).filter((o) => o.name === 'stdout').map((o) => joined(o.text)).join('');
    assert.equal(stdout, 'Hello, tslab!\n');

    const chart = nb.cells.find((c) => c.id === 'chart');
    assert.ok(chart, 'the chart cell');
    const display = (chart.outputs ?? []).find((o) => o.output_type === 'display_data');
    assert.ok(display?.data, 'the chart cell displays a bundle');
    assert.deepEqual(Object.keys(display.data).sort(), ['application/vnd.plotly.v1+json', 'text/html', 'text/plain']);
    const chartHtml = joined(display.data['text/html'] as string | string[]);
    assert.match(chartHtml, /plotly\.js v3/, 'the first chart embeds plotly.js');
    assert.match(chartHtml, /Plotly\.newPlot/);

    // Offline: every request that is not a local file is refused.
    const userDataDir = mkdtempSync(path.join(scratch, 'chromium-'));
    const context = await chromium.launchPersistentContext(userDataDir, {
      executablePath: CHROMIUM,
      headless: true,
      args: CHROMIUM_ARGS,
      viewport: { width: 1100, height: 900 },
    });
    try {
      const page = context.pages()[0] ?? (await context.newPage());
      const refused: string[] = [];
      await page.route('**/*', async (route) => {
        const url = route.request().url();
        if (url.startsWith('file:') || url.startsWith('data:') || url.startsWith('blob:')) return route.continue();
        refused.push(url);
        return route.abort();
      });
      const pageErrors: string[] = [];
      page.on('pageerror', (err) => pageErrors.push(String(err)));
      const opened = Date.now();
      await page.goto(`file://${html}`, { waitUntil: 'load', timeout: 120_000 });
      await page.locator('.main-svg').first().waitFor({ state: 'attached', timeout: 60_000 });
      t.diagnostic(`HTML opened and plotly drawn in ${((Date.now() - opened) / 1000).toFixed(1)} s`);
      assert.ok((await page.locator('.cvlab-plotly .main-svg').count()) >= 1, 'plotly drew .main-svg in the chart div');
      assert.equal(await page.locator('.cvlab-plotly .scatterlayer .trace').count(), 2, 'two traces drawn');
      assert.deepEqual(pageErrors, [], 'no script errors');
      if (refused.length > 0) t.diagnostic(`refused (offline): ${refused.join(', ')}`);
      // Debian's nbconvert loads MathJax from /usr/share/javascript when libjs-mathjax is installed: hide its status box.
      await page.addStyleTag({ content: '#MathJax_Message { display: none !important; }' });
      const screenshot = path.join(OUT, 'smoke.png');
      await page.screenshot({ path: screenshot, fullPage: true });
      assert.ok(statSync(screenshot).size > 10_000, 'a screenshot was saved');
      t.diagnostic(`screenshot: ${screenshot}`);
    } finally {
      await context.close();
    }
  });

  test('a failing cell becomes an error output and a NotebookExecutionError', { skip, timeout: 300_000 }, async () => {
    const input = path.join(scratch, 'fails.ipynb');
    const cell = (id: string, source: string) => ({
      cell_type: 'code', execution_count: null, id, metadata: {}, outputs: [], source,
    });
    await fsp.writeFile(
      input,
      JSON.stringify({
        cells: [
          cell('ok', "console.log('before')"),
          cell('typed', "const n: number = 'not a number';"),
          cell('never', "console.log('after')"),
        ],
        metadata: { kernelspec: { display_name: 'TypeScript', language: 'typescript', name: 'tslab' } },
        nbformat: 4,
        nbformat_minor: 5,
      }),
    );
    const outDir = path.join(scratch, 'out');
    const err = await executeNotebook(input, outDir, { timeoutInSeconds: 60 }).then(
      () => assert.fail('the notebook should fail'),
      (e: unknown) => e,
    );
    assert.ok(err instanceof NotebookExecutionError, String(err));
    assert.equal(err.cells.length, 1);
    assert.equal(err.cells[0]?.cellIndex, 1);
    assert.equal(err.cells[0]?.ename, 'TypeScriptError');
    assert.match(err.cells[0]?.evalue ?? '', /not assignable to type 'number'/);
    assert.equal(err.notebook, path.join(outDir, 'fails.ipynb'));
    assert.ok(err.html !== undefined && existsSync(err.html), 'the HTML export is written for a failed run too');

    const nb = JSON.parse(await fsp.readFile(err.notebook, 'utf8')) as Notebook;
    assert.equal(joined(nb.cells[0]?.outputs?.[0]?.text), 'before\n');
    assert.deepEqual(nb.cells[2]?.outputs, [], 'cells after the error are skipped');
  });
});
