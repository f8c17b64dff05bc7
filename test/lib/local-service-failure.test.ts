/**
 * The lab starting the local service when it does not come up: `startLocalService` stops the whole
 * process tree it started (npm and what npm started) before it throws, so that nothing starts
 * answering at the address afterwards; and a child ended by a signal counts as failed at once.
 */
import assert from 'node:assert/strict';
import childProcess, { type ChildProcess } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import { loadConfig } from '../../lib/src/config';
import { ServiceStartError, startLocalService } from '../../lib/src/local-service';
import { isGroupRunning, stopProcessTree } from '../../lib/src/process-tree';
import { freePort } from '../support/net';
import { tempDataDir } from '../support/service-process';

/** What answers at the address: an HTTP status, or undefined when nothing does. */
async function statusAt(url: string): Promise<number | undefined> {
  try {
    return (await fetch(`${url}/customvision/v3.4-preview/training/domains`, { signal: AbortSignal.timeout(1000) })).status;
  } catch {
    return undefined;
  }
}

/** Asserts that nothing answers at `url` for `forInMs`, asking twice a second. */
async function assertSilent(url: string, forInMs: number): Promise<void> {
  for (const end = Date.now() + forInMs; Date.now() < end; await sleep(500)) {
    assert.equal(await statusAt(url), undefined, `something answers at ${url}`);
  }
}

/** The error `startLocalService` threw, which must be a ServiceStartError with the pid of the tree it stopped. */
async function startFailure(run: () => Promise<unknown>): Promise<ServiceStartError & { pid: number }> {
  const error = await run().then(
    () => assert.fail('the service started'),
    (e: unknown) => e,
  );
  assert.ok(error instanceof ServiceStartError, String(error));
  assert.match(error.message, /did not start/);
  assert.equal(typeof error.pid, 'number');
  return error as ServiceStartError & { pid: number };
}

describe('startLocalService when the service does not start', () => {
  const savedDataDir = process.env.CVLAB_DATA_DIR;
  const started: number[] = [];
  before(() => {
    process.env.CVLAB_DATA_DIR = tempDataDir();
  });
  after(async () => {
    if (savedDataDir === undefined) delete process.env.CVLAB_DATA_DIR;
    else process.env.CVLAB_DATA_DIR = savedDataDir;
    // Should a test fail, nothing it started stays behind.
    for (const pid of started) await stopProcessTree(pid, { graceInMs: 2000 });
  });

  async function configOnFreePort() {
    const port = await freePort();
    return loadConfig({ CVLAB_LOCAL_ENDPOINT: `http://127.0.0.1:${port}`, CVLAB_TRAINING_KEY: 'fail-t', CVLAB_PREDICTION_KEY: 'fail-p' }, '/nonexistent/.env');
  }

  it('stops npm and the service it is starting when they are too slow, and nothing answers later', async () => {
    const config = await configOnFreePort();
    const error = await startFailure(() => startLocalService(config, { timeoutInMs: 300 }));
    started.push(error.pid);
    assert.equal(isGroupRunning(error.pid), false, 'no process of the tree remains');
    // The service takes seconds to start: had it been left running, it would answer by then.
    await assertSilent(config.trainingEndpoint, 8000);
    assert.equal(isGroupRunning(error.pid), false, 'no process of the tree remains');
  });

  // On Windows, taskkill /T finds the tree from its root, which this test kills first.
  it('counts npm ended by a signal as a failure at once, and stops what it had started', { skip: process.platform === 'win32' && 'POSIX process groups' }, async (t) => {
    const config = await configOnFreePort();
    let child: ChildProcess | undefined;
    const spawn = childProcess.spawn;
    t.mock.method(childProcess, 'spawn', (...args: Parameters<typeof spawn>) => {
      child = spawn(...args);
      // npm alone is killed; what it started (the shell, tsx, the service) goes on.
      setTimeout(() => child?.kill('SIGKILL'), 200);
      return child;
    });
    const startedAt = Date.now();
    const error = await startFailure(() => startLocalService(config, { timeoutInMs: 60_000 }));
    started.push(error.pid);
    assert.ok(child, 'startLocalService spawned through child_process.spawn');
    assert.equal(child.signalCode, 'SIGKILL');
    assert.ok(Date.now() - startedAt < 15_000, `noticed after ${Date.now() - startedAt} ms, not at the timeout`);
    assert.equal(isGroupRunning(error.pid), false, 'no process of the tree remains');
    await assertSilent(config.trainingEndpoint, 5000);
  });
});
