/**
 * The waits' edges that the local service cannot be made to show on demand, against a stand-in
 * that speaks the Training API's routes: a request that never gets an answer (the abort signal must
 * reach the SDK call in flight), an export that never ends (the timeout message), and which export
 * a flavor picks. Plus waitWith and formatDuration on their own.
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { trainingClient } from '../../lib/src/clients';
import { loadConfig } from '../../lib/src/config';
import { exportAndWait } from '../../lib/src/export';
import { trainAndWait } from '../../lib/src/training';
import { formatDuration, waitWith } from '../../lib/src/waiting';

describe('waitWith', () => {
  it('ends a pause at once on abort, with an AbortError that keeps the reason as its cause', async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error('stop')), 50);
    const started = Date.now();
    await assert.rejects(
      waitWith({ abortSignal: controller.signal, pollIntervalInMs: 60_000 }, 60_000, () => 'The job is still running', (waiter) => waiter.pause()),
      (error: Error) => error.name === 'AbortError' && /aborted \(The job is still running\)/.test(error.message) && (error.cause as Error).message === 'stop',
    );
    // Without the abort the pause would last 60 s; a loose bound, for a busy machine.
    const waitedInMs = Date.now() - started;
    assert.ok(waitedInMs < 5000, `${waitedInMs} ms`);
  });

  it('gives up at the deadline with a TimeoutError naming it; other failures pass through unchanged', async () => {
    await assert.rejects(
      waitWith({ timeoutInMs: 100, pollIntervalInMs: 60_000 }, 60_000, () => 'The job is still running', (waiter) => waiter.pause()),
      { name: 'TimeoutError', message: 'The job is still running after 100 ms (timeoutInMs: 100); the service goes on: wait again to see it finish.' },
    );
    const failure = new Error('Iteration 3 Failed');
    await assert.rejects(waitWith({}, 60_000, () => '', async () => Promise.reject(failure)), (error) => error === failure);
  });

  it('formats durations for messages', () => {
    assert.deepEqual([300, 1000, 1500, 90_000, 600_000, 1_800_000].map(formatDuration), ['300 ms', '1 s', '1.5 s', '90 s', '10 min', '30 min']);
  });
});

describe('the waits against a stand-in Training API', () => {
  // The SDK checks that ids are UUIDs.
  const [p1, i1] = ['00000000-0000-4000-8000-000000000001', '00000000-0000-4000-8000-000000000002'];
  const requests: string[] = [];
  /** Route (method and path without the API prefix) -> JSON answer; no entry: the request hangs. */
  const routes = new Map<string, () => unknown>();
  const hanging = new Set<http.ServerResponse>();
  let server: http.Server;
  let trainer: ReturnType<typeof trainingClient>;

  before(async () => {
    server = http.createServer((req, res) => {
      const route = `${req.method} ${new URL(req.url ?? '/', 'http://x').pathname.replace(/^\/customvision\/v[^/]+\/training/, '')}`;
      requests.push(`${route}${new URL(req.url ?? '/', 'http://x').search}`);
      const answer = routes.get(route);
      if (!answer) return void hanging.add(res);
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(answer()));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    trainer = trainingClient(loadConfig({ CVLAB_LOCAL_ENDPOINT: endpoint }, '/nonexistent/.env'));
  });
  after(() => {
    for (const res of hanging) res.destroy();
    server.close();
  });

  // The stand-in never answers: without the abort the wait would hang until the test's own timeout.
  it('an abort ends the training wait while trainProject is in flight: the signal reaches the SDK call', { timeout: 20_000 }, async () => {
    requests.length = 0;
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 200);
    const started = Date.now();
    await assert.rejects(trainAndWait({ trainer }, p1, { abortSignal: controller.signal }), { name: 'AbortError' });
    const waitedInMs = Date.now() - started;
    assert.ok(waitedInMs < 5000, `${waitedInMs} ms`);
    assert.deepEqual(requests.map((r) => r.split('?')[0]), [`POST /projects/${p1}/train`], 'one request, never answered');
  });

  it('an abort ends the export wait while getExports is in flight', { timeout: 20_000 }, async () => {
    requests.length = 0;
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 200);
    await assert.rejects(exportAndWait({ trainer }, p1, { id: i1 }, 'ONNX', { abortSignal: controller.signal }), { name: 'AbortError' });
    assert.deepEqual(requests, [`GET /projects/${p1}/iterations/${i1}/export`]);
  });

  it('picks the export of the flavor asked, requests it when missing, and times out naming platform, flavor and duration', async () => {
    const exports = [
      { platform: 'DockerFile', flavor: 'Linux', status: 'Done', downloadUri: 'http://x/linux.zip' },
      { platform: 'ONNX', flavor: null, status: 'Exporting' },
    ];
    routes.set(`GET /projects/${p1}/iterations/${i1}/export`, () => exports);
    routes.set(`POST /projects/${p1}/iterations/${i1}/export`, () => ({ platform: 'DockerFile', flavor: 'ARM', status: 'Exporting' }));
    requests.length = 0;
    assert.equal((await exportAndWait({ trainer }, p1, i1, 'DockerFile', { flavor: 'Linux' })).downloadUri, 'http://x/linux.zip');
    assert.deepEqual(requests, [`GET /projects/${p1}/iterations/${i1}/export`], 'found, not requested again');

    requests.length = 0;
    await assert.rejects(exportAndWait({ trainer }, p1, i1, 'DockerFile', { flavor: 'ARM', pollIntervalInMs: 50 }), /The DockerFile \(ARM\) export is not listed by getExports any more/);
    assert.deepEqual(requests.slice(0, 2), [`GET /projects/${p1}/iterations/${i1}/export`, `POST /projects/${p1}/iterations/${i1}/export?platform=DockerFile&flavor=ARM`]);

    await assert.rejects(exportAndWait({ trainer }, p1, i1, 'ONNX', { timeoutInMs: 300, pollIntervalInMs: 50 }), {
      name: 'TimeoutError',
      message: 'The ONNX export is still Exporting after 300 ms (timeoutInMs: 300); the service goes on: wait again to see it finish.',
    });
  });
});
