/**
 * The request log keeps credentials out: an export package's download token (a path segment),
 * image link signatures and project import tokens are written as `***`.
 */
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { TrainingAPIClient } from '@azure/cognitiveservices-customvision-training';
import { waitForExport } from '../../support/exports';
import { trainingClient } from '../../support/sdk';
import { startServiceProcess, type ServiceProcess } from '../../support/service-process';

/** A data folder with a trained iteration and a Done ONNX export (see test/store/upgrade-in-place.test.ts): no training needed. */
const FIXTURE = path.join(__dirname, '..', '..', 'fixtures', 'data-folder-v2');
const expected = JSON.parse(readFileSync(path.join(FIXTURE, 'expected.json'), 'utf8'));

describe('credentials in the request log', () => {
  const projectId: string = expected.project.id;
  const iterationId: string = expected.iteration.id;
  let work: string;
  let service: ServiceProcess;
  let trainer: TrainingAPIClient;

  before(async () => {
    work = mkdtempSync(path.join(os.tmpdir(), 'cvlab-log-'));
    cpSync(FIXTURE, work, { recursive: true, filter: (source) => path.basename(source) !== 'expected.json' });
    service = await startServiceProcess({ dataDir: work });
    trainer = trainingClient(service.url);
  });
  after(async () => {
    await service?.stop();
    rmSync(work, { recursive: true, force: true });
  });

  it('an export download is logged without its token', async () => {
    const done = await waitForExport(trainer, projectId, iterationId, 'ONNX');
    const link = new URL(done.downloadUri as string);
    const [, , , token, name] = link.pathname.split('/');
    assert.ok(token.length >= 16, link.pathname);
    const download = await fetch(link);
    assert.equal(download.status, 200);
    await download.arrayBuffer();
    // The log line is written once the response has gone out: wait for it rather than for a fixed time.
    const deadline = Date.now() + 10_000;
    while (!service.output().includes(`GET /customvision/exports/***/${name} 200`) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    assert.ok(service.output().includes(`GET /customvision/exports/***/${name} 200`), 'the download is logged');
    assert.ok(!service.output().includes(token), 'the token is not');
  });

  it('image signatures and import tokens are masked too', async () => {
    const [image] = await trainer.getImages(projectId, { take: 1 });
    const signature = new URL(image.originalImageUri as string).searchParams.get('sig') as string;
    assert.equal((await fetch(image.originalImageUri as string)).status, 200);
    const { token } = await trainer.exportProject(projectId);
    const imported = await trainer.importProject(token as string, { name: 'imported for the log test' });
    assert.ok(imported.id);
    const deadline = Date.now() + 10_000;
    while (!service.output().includes('/projects/import?token=***') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    const log = service.output();
    assert.ok(log.includes('/projects/import?token=***'), 'the import is logged');
    assert.ok(log.includes('&sig=*** 200'), 'the image download is logged');
    assert.ok(!log.includes(signature) && !log.includes(token as string));
  });
});
