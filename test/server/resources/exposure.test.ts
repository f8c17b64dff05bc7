/**
 * The service refuses to listen beyond loopback while the lab's default keys (printed in the README)
 * are accepted, with or without a resources file, and says why and what to do; loopback keeps them.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { LOCAL_SERVICE } from '../../../lib/src/shared';
import { runCommand } from '../../../scripts/process/run-command';
import { parseConfig } from '../../../server/config';
import { isLoopbackHost } from '../../../server/resources/exposure';
import { PROJECT_ROOT } from '../../../datasets/env';
import { trainingClient } from '../../support/sdk';
import { startServiceProcess, tempDataDir } from '../../support/service-process';

const dir = mkdtempSync(path.join(os.tmpdir(), 'cvlab-exposure-'));

function resourcesFile(resources: unknown[]): string {
  const file = path.join(dir, `${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(file, JSON.stringify({ resources }));
  return file;
}

/** Runs the service's command line as `npm run serve` would (without CVLAB_* settings), for a start that must fail. */
function serve(args: string[]) {
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('CVLAB_') || name === 'CVLAB_ASSETS_DIR'));
  return runCommand(process.execPath, ['--import', 'tsx', path.join(PROJECT_ROOT, 'server', 'main.ts'), '--port', '0', '--data-dir', tempDataDir(), ...args], {
    cwd: PROJECT_ROOT,
    env,
    timeoutMs: 60_000,
  });
}

describe('listening beyond loopback', () => {
  it('tells loopback addresses from others', () => {
    for (const host of ['127.0.0.1', '127.8.9.10', '::1', '[::1]', 'localhost', 'LOCALHOST', '::ffff:127.0.0.1']) assert.ok(isLoopbackHost(host), host);
    for (const host of ['0.0.0.0', '::', '192.168.1.20', '10.0.0.1', 'classroom.local', '::ffff:10.0.0.1', '128.0.0.1']) assert.ok(!isLoopbackHost(host), host);
  });

  it('is refused with the default keys, whichever of them is accepted', () => {
    assert.throws(() => parseConfig(['--host', '0.0.0.0'], {}), /Refusing to listen on 0\.0\.0\.0 with the lab's default keys/);
    assert.throws(() => parseConfig(['--host', '192.168.1.20', '--training-key', 'mine-0123456789'], {}), /the prediction key "local-prediction-key" \(resource "default"\)/);
    assert.throws(() => parseConfig([], { CVLAB_HOST: '::', CVLAB_PREDICTION_KEY: 'mine-0123456789' }), /the training key "local-training-key"/);
    const withDefaults = resourcesFile([
      { name: 'student-01', trainingKeys: ['t-0123456789abcdef'], predictionKeys: ['p-0123456789abcdef'] },
      { name: 'instructor', trainingKeys: [LOCAL_SERVICE.trainingKey], predictionKeys: ['p-instructor-0123'] },
    ]);
    assert.throws(() => parseConfig(['--host', '0.0.0.0', '--resources', withDefaults], {}), /the training key "local-training-key" \(resource "instructor"\)/);
  });

  it('is allowed with keys of one\'s own, and loopback keeps the default keys', () => {
    assert.ok(parseConfig(['--host', '0.0.0.0', '--training-key', 'mine-t-0123456789', '--prediction-key', 'mine-p-0123456789'], {}));
    for (const host of ['127.0.0.1', '::1', 'localhost']) assert.ok(parseConfig(['--host', host], {}), host);
  });

  it('stops the service at start with exit code 2, saying why and what to do', async () => {
    const result = await serve(['--host', '0.0.0.0']);
    assert.equal(result.code, 2, result.stderr);
    assert.match(result.stderr, /Refusing to listen on 0\.0\.0\.0 with the lab's default keys/);
    assert.match(result.stderr, /anyone who can reach this machine could read, change or delete every project/);
    assert.match(result.stderr, /npm run classroom -- --students <n> --host 0\.0\.0\.0/);
    assert.match(result.stderr, /--training-key <key> --prediction-key <key>/);
    assert.doesNotMatch(result.stdout, /listening on/);
  });

  it('stops the service at start with exit code 2 when the resources file is not valid', async () => {
    const duplicate = resourcesFile([
      { name: 'a', trainingKeys: ['same-0123456789'], predictionKeys: ['p-a-0123456789'] },
      { name: 'b', trainingKeys: ['same-0123456789'], predictionKeys: ['p-b-0123456789'] },
    ]);
    const result = await serve(['--resources', duplicate]);
    assert.equal(result.code, 2, result.stderr);
    assert.match(result.stderr, /is not valid:\n {2}- resources\[1\] \("b"\): a key of it is also a key of resources\[0\] \("a"\)/);
  });

  it('starts on 0.0.0.0 with a resources file without the default keys', async () => {
    const room = resourcesFile([{ name: 'student-01', trainingKeys: ['t-0123456789abcdef'], predictionKeys: ['p-0123456789abcdef'] }]);
    const service = await startServiceProcess({ resources: room, extraArgs: ['--host', '0.0.0.0'] });
    try {
      assert.match(service.url, /^http:\/\/0\.0\.0\.0:\d+$/);
      const port = new URL(service.url).port;
      assert.deepEqual(await trainingClient(`http://127.0.0.1:${port}`, 't-0123456789abcdef').getProjects(), []);
    } finally {
      assert.equal(await service.stop(), 0);
    }
  });
});
