/**
 * `npm run classroom`: writes a valid resources file with random keys (owner-only), the same as CSV
 * and a `.env` per student that the lab's own configuration reads unchanged, prints the table, serves
 * the room until stopped, and keeps an existing room unless told to reuse or replace it.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { connect } from '../../lib/src/clients';
import { loadConfig } from '../../lib/src/config';
import { LOCAL_SERVICE, PROJECT_ROOT } from '../../lib/src/shared';
import { runCommand } from '../../scripts/process/run-command';
import { predictionResourceId } from '../../server/resources/resource';
import { loadResourcesFile } from '../../server/resources/resources-file';
import { sdkError, trainingClient } from '../support/sdk';
import { watchChild } from '../support/watched-child';

const SCRIPT = path.join(PROJECT_ROOT, 'scripts', 'classroom.ts');
const folder = mkdtempSync(path.join(os.tmpdir(), 'cvlab-classroom-'));
const out = path.join(folder, 'room', 'resources.json');
const NAMES = ['student-01', 'student-02', 'student-03', 'instructor'];

/** The environment without CVLAB_* settings (but the assets), as an instructor's shell would be. */
const cleanEnv = () => Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('CVLAB_') || name === 'CVLAB_ASSETS_DIR'));

/** Runs the command until its table is printed; returns the endpoint it printed, its output, and how to stop it. */
async function startRoom(args: string[]) {
  const child = spawn(process.execPath, ['--import', 'tsx', SCRIPT, '--port', '0', '--out', out, ...args], { cwd: PROJECT_ROOT, env: cleanEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
  const watched = watchChild(child);
  await watched.waitFor(/Ctrl-C stops the service/, 'the classroom', 90_000);
  const endpoint = /^student-01 +(http:\/\/\S+)/m.exec(watched.output())?.[1];
  assert.ok(endpoint, watched.output());
  const stop = async () => {
    child.kill('SIGTERM');
    return watched.exited;
  };
  return { endpoint, output: watched.output, stop };
}

const mode = (file: string) => statSync(file).mode & 0o777;

describe('npm run classroom', () => {
  let stopRunning: (() => Promise<number | null>) | undefined;
  after(async () => {
    await stopRunning?.();
  });

  it('writes the room (resources file, CSV, a .env per student), prints the table and serves it', async () => {
    const room = await startRoom(['--students', '3']);
    stopRunning = room.stop;

    const resources = loadResourcesFile(out);
    assert.deepEqual(resources.map((r) => r.name), NAMES);
    const keys = resources.flatMap((r) => [...r.trainingKeys, ...r.predictionKeys]);
    assert.ok(keys.every((k) => /^[0-9a-f]{32}$/.test(k)), keys.join(' '));
    assert.equal(new Set(keys).size, keys.length, 'every key is different');
    assert.ok(!keys.includes(LOCAL_SERVICE.trainingKey) && !keys.includes(LOCAL_SERVICE.predictionKey));

    const csvFile = path.join(folder, 'room', 'keys.csv');
    const [header, ...rows] = readFileSync(csvFile, 'utf8').trimEnd().split('\r\n');
    assert.equal(header, 'name,endpoint,training_key,prediction_key,prediction_resource_id');
    assert.deepEqual(
      rows,
      resources.map((r) => [r.name, room.endpoint, r.trainingKeys[0], r.predictionKeys[0], predictionResourceId(r.name)].join(',')),
    );
    for (const r of resources) assert.match(room.output(), new RegExp(`^${r.name} +${room.endpoint.replace(/\./g, '\\.')} +${r.trainingKeys[0]} +${r.predictionKeys[0]}$`, 'm'));
    if (process.platform !== 'win32') {
      for (const file of [out, csvFile, path.join(folder, 'room', 'env', 'student-02.env')]) assert.equal(mode(file), 0o600, file);
    }

    // A student's .env, read by the lab's own configuration, reaches their resource and no other.
    const envFile = path.join(folder, 'room', 'env', 'student-02.env');
    const config = loadConfig({}, envFile);
    const student = resources[1];
    assert.deepEqual(config, {
      kind: 'azure',
      trainingEndpoint: room.endpoint,
      trainingKey: student.trainingKeys[0],
      predictionEndpoint: room.endpoint,
      predictionKey: student.predictionKeys[0],
      predictionResourceId: predictionResourceId('student-02'),
    });
    const lab = await connect(config);
    const project = await lab.trainer.createProject('student 2 project');
    assert.deepEqual((await lab.trainer.getProjects()).map((p) => p.id), [project.id]);
    assert.deepEqual(await trainingClient(room.endpoint, resources[0].trainingKeys[0]).getProjects(), [], 'student-01 sees none of it');
    await assert.rejects(trainingClient(room.endpoint, LOCAL_SERVICE.trainingKey).getProjects(), sdkError(401, 'Unauthorized'));

    stopRunning = undefined;
    assert.equal(await room.stop(), 0, 'stops cleanly');
  });

  it('checks the service\'s options before it writes a room: a bad --public-host leaves no file behind', async () => {
    const fresh = path.join(folder, 'bad-option', 'resources.json');
    const args = ['--import', 'tsx', SCRIPT, '--students', '2', '--port', '0', '--out', fresh, '--public-host', 'not a host!'];
    const refused = await runCommand(process.execPath, args, { cwd: PROJECT_ROOT, env: cleanEnv(), timeoutMs: 60_000 });
    assert.equal(refused.code, 2, refused.stderr);
    assert.match(refused.stderr, /Invalid public host "not a host!"/);
    assert.equal(existsSync(fresh), false, 'no resources file: the next run needs neither --reuse nor --force');
    assert.equal(existsSync(`${fresh}.new`), false);
  });

  it('keeps an existing room unless told to reuse or replace it', async () => {
    const before = readFileSync(out, 'utf8');
    const refused = await runCommand(process.execPath, ['--import', 'tsx', SCRIPT, '--students', '3', '--port', '0', '--out', out], { cwd: PROJECT_ROOT, env: cleanEnv(), timeoutMs: 60_000 });
    assert.equal(refused.code, 2, refused.stderr);
    assert.match(refused.stderr, /exists already: pass --reuse to start the room again with its keys, or --force to replace it with new keys/);
    assert.equal(readFileSync(out, 'utf8'), before);

    const again = await startRoom(['--reuse']);
    stopRunning = again.stop;
    assert.equal(readFileSync(out, 'utf8'), before, 'the same keys');
    const student = loadResourcesFile(out)[1];
    assert.equal((await trainingClient(again.endpoint, student.trainingKeys[0]).getProjects()).length, 1, 'the room\'s projects are kept');
    stopRunning = undefined;
    assert.equal(await again.stop(), 0);
  });
});
