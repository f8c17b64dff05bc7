/**
 * @module `npm run lab` as a student runs it: it reuses the running service, opens a Jupyter server
 * on notebooks/ with the TypeScript kernel, and the first notebook runs in the browser, charts and
 * all. It runs as the CI user (root in CI), so it also proves that Jupyter's refusal to run as root
 * is handled.
 *
 * Needs a Jupyter server (Debian's jupyter-notebook, or JupyterLab) and Chromium; without them the
 * tests are skipped (set CVLAB_REQUIRE_JUPYTER=1 to make that a failure).
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { mkdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { PROJECT_ROOT } from '../../lib/src/shared';
import { NOTEBOOKS } from '../../scripts/lab/notebooks';
import { signalProcessTree } from '../../scripts/process/run-command';
import { PREDICTION_KEY, startServiceProcess, TRAINING_KEY, type ServiceProcess } from '../support/service-process';
import { withLocalServerPage } from '../support/browser';
import { browserPrerequisite, labPrerequisite, skipUnlessRequired } from '../support/prerequisites';
import { watchChild } from '../support/watched-child';

/** The address Jupyter prints once it serves: base URL and access token. */
const SERVING = /(http:\/\/(?:localhost|127\.0\.0\.1):\d+\/)(?:\w+)?\?token=(\w+)/;

const OUT = path.join(PROJECT_ROOT, 'out', 'notebooks-test', 'live');
const sha256 = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');

/** Starts `npm run lab` against `service`; resolves once Jupyter serves, with its address and token. */
async function startLab(service: ServiceProcess): Promise<{ lab: ChildProcess; base: string; token: string; output: () => string }> {
  const lab = spawn(process.execPath, ['--import', 'tsx', path.join(PROJECT_ROOT, 'scripts', 'lab.ts')], {
    cwd: PROJECT_ROOT,
    // Its own process group, so the test can stop the lab and its Jupyter together; BROWSER=true opens no browser.
    detached: true,
    env: { ...process.env, CVLAB_LOCAL_ENDPOINT: service.url, CVLAB_TRAINING_KEY: TRAINING_KEY, CVLAB_PREDICTION_KEY: PREDICTION_KEY, BROWSER: 'true' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const watched = watchChild(lab);
  try {
    const [, base, token] = await watched.waitFor(SERVING, 'Jupyter', 240_000);
    return { lab, base: base as string, token: token as string, output: watched.output };
  } catch (error) {
    await stopLab(lab);
    throw error;
  }
}

/** Stops the lab and the Jupyter it started (their process group). */
async function stopLab(lab: ChildProcess): Promise<void> {
  if (lab.pid === undefined || lab.exitCode !== null || lab.signalCode !== null) return;
  const exited = once(lab, 'exit');
  signalProcessTree(lab.pid, 'SIGTERM');
  await exited;
}

/** Runs every cell of the open classic-notebook page; resolves when all ran, or at the first error output. */
async function runAllCells(page: Page): Promise<void> {
  // Page-side code as strings: this project compiles without the DOM's types. `Jupyter` is the classic notebook's global.
  await page.waitForFunction('window.Jupyter?.notebook?.kernel?.is_connected() === true', null, { timeout: 120_000 });
  // Never save: the notebooks in the repository stay as they are.
  await page.evaluate('Jupyter.notebook.set_autosave_interval(0); Jupyter.notebook.execute_all_cells();');
  await page.waitForFunction(
    `document.querySelector('.output_error') !== null ||
     Jupyter.notebook.get_cells().every((cell) => cell.cell_type !== 'code' || typeof cell.input_prompt_number === 'number')`,
    null,
    { timeout: 300_000, polling: 500 },
  );
}

describe('npm run lab', async () => {
  const missing = await labPrerequisite();
  const skip = skipUnlessRequired(missing, 'JUPYTER');
  const skipBrowser = skip || skipUnlessRequired(browserPrerequisite(), 'JUPYTER');
  let service: ServiceProcess | undefined;
  let running: Awaited<ReturnType<typeof startLab>> | undefined;

  before(async () => {
    if (skip !== false) return;
    assert.equal(missing, undefined, missing);
    service = await startServiceProcess();
    running = await startLab(service);
  });
  after(async () => {
    if (running) await stopLab(running.lab);
    await service?.stop();
  });

  test('opens Jupyter on the three notebooks with the TypeScript kernel, using the running service', { skip, timeout: 60_000 }, async () => {
    const { base, token, output } = running!;
    assert.match(output(), new RegExp(`service already running at ${service?.url}`));
    assert.match(output(), new RegExp(`Web portal .*: ${service?.url}/ `), 'the portal\'s address is printed next to Jupyter\'s');
    assert.equal((await fetch(`${service?.url}/`)).status, 200, 'and it serves the portal');
    const api = async (route: string) => {
      const response = await fetch(`${base}api/${route}`, { headers: { Authorization: `token ${token}` } });
      assert.equal(response.status, 200, `GET /api/${route}`);
      return response.json();
    };
    const { kernelspecs } = (await api('kernelspecs')) as { kernelspecs: Record<string, { spec: { display_name: string; language: string } }> };
    assert.equal(kernelspecs.tslab?.spec.language, 'typescript');
    const { content } = (await api('contents')) as { content: { name: string; type: string }[] };
    const notebooks = content.filter((item) => item.type === 'notebook').map((item) => item.name);
    for (const name of NOTEBOOKS) assert.ok(notebooks.includes(name), `${name} is listed (${notebooks.join(', ')})`);
  });

  test('notebook 1 runs in the browser as a student runs it: no error, every chart drawn, every image shown', { skip: skipBrowser, timeout: 480_000 }, async (t) => {
    const { base, token, output } = running!;
    if (!/Opening the classic notebook/.test(output())) return t.skip('the lab opened JupyterLab: this test drives the classic notebook page');
    const name = NOTEBOOKS[0] as string;
    const file = path.join(PROJECT_ROOT, 'notebooks', name);
    const before = sha256(file);
    await withLocalServerPage(`${base}notebooks/${name}?token=${token}`, async ({ page, errors }) => {
      await runAllCells(page);
      const failed = await page.locator('.output_error').allInnerTexts();
      assert.deepEqual(failed, [], 'no cell failed');
      const charts = await page.locator('.cvlab-plot').count();
      const drawn = await page.locator('.cvlab-plot').evaluateAll((els) => els.filter((el) => el.querySelector('.main-svg')).length);
      assert.ok(charts >= 5 && drawn === charts, `${drawn} of ${charts} charts drawn`);
      const images = await page.locator('.cvlab-grid img').evaluateAll((imgs) => imgs.map((img) => (img as unknown as { naturalWidth: number }).naturalWidth));
      assert.ok(images.length >= 12 && images.every((width) => width > 0), `grid images: ${images.join(', ')}`);
      assert.deepEqual(errors, [], 'no script errors');
      mkdirSync(OUT, { recursive: true });
      const screenshot = path.join(OUT, name.replace('.ipynb', '.png'));
      // The notebook scrolls inside the page: show the first chart.
      await page.locator('.cvlab-plot').first().scrollIntoViewIfNeeded();
      await page.screenshot({ path: screenshot });
      assert.ok(statSync(screenshot).size > 10_000);
    });
    assert.equal(sha256(file), before, 'the notebook file is unchanged');
  });
});
