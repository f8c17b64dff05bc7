/**
 * @module `npm run lab` as a student runs it: it reuses the running service, opens a Jupyter server
 * on notebooks/ with the TypeScript kernel, and stops cleanly. It runs as the CI user (root in CI),
 * so it also proves that Jupyter's refusal to run as root is handled.
 *
 * Needs a Jupyter server (Debian's jupyter-notebook, or JupyterLab); without one the test is
 * skipped (set CVLAB_REQUIRE_JUPYTER=1 to make that a failure).
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { jupyterInstall, PROJECT_ROOT } from '../../scripts/jupyter';
import { NOTEBOOKS } from '../../scripts/lab';
import { PREDICTION_KEY, startServiceProcess, TRAINING_KEY, type ServiceProcess } from '../support/service-process';
import { skipUnlessRequired } from '../support/prerequisites';

/** The address Jupyter prints once it serves: base URL and access token. */
const SERVING = /(http:\/\/(?:localhost|127\.0\.0\.1):\d+\/)(?:\w+)?\?token=(\w+)/;

describe('npm run lab', async () => {
  const install = await jupyterInstall();
  const missing = install?.lab || install?.notebook ? undefined : 'no Jupyter server (apt-get install jupyter-notebook, or JupyterLab)';
  const skip = skipUnlessRequired(missing);
  let service: ServiceProcess | undefined;

  before(async () => {
    if (skip === false) assert.equal(missing, undefined, missing);
    if (skip === false) service = await startServiceProcess();
  });
  after(() => service?.stop());

  test('opens Jupyter on the three notebooks with the TypeScript kernel, using the running service', { skip, timeout: 300_000 }, async () => {
    const lab = spawn(process.execPath, ['--import', 'tsx', path.join(PROJECT_ROOT, 'scripts', 'lab.ts')], {
      cwd: PROJECT_ROOT,
      // Its own process group, so the test can stop the lab and its Jupyter together; BROWSER=true opens no browser.
      detached: true,
      env: { ...process.env, CVLAB_LOCAL_ENDPOINT: service?.url, CVLAB_TRAINING_KEY: TRAINING_KEY, CVLAB_PREDICTION_KEY: PREDICTION_KEY, BROWSER: 'true' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    const exited = once(lab, 'exit');
    try {
      const serving = await new Promise<RegExpExecArray>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`Jupyter did not start within 240 s:\n${output}`)), 240_000);
        const read = (chunk: Buffer) => {
          output += chunk.toString();
          const match = SERVING.exec(output);
          if (match) {
            clearTimeout(timer);
            resolve(match);
          }
        };
        lab.stdout.on('data', read);
        lab.stderr.on('data', read);
        lab.on('exit', (code) => reject(new Error(`npm run lab exited (code ${code}) before Jupyter served:\n${output}`)));
      });
      assert.match(output, new RegExp(`service already running at ${service?.url}`));
      const [, base, token] = serving;
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
    } finally {
      if (lab.exitCode === null && lab.pid !== undefined) process.kill(-lab.pid, 'SIGTERM');
      await exited;
    }
  });
});
