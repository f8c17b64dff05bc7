/** A service killed with SIGKILL mid-training, mid-upload or mid-export comes back consistent. */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { exportAndWait } from '../../lib/src/export';
import { CLASSES, imageFiles, readImage } from '../support/dataset';
import { startServiceProcess } from '../support/service-process';
import { trainingClient, waitForIteration } from '../support/sdk';
import { COMPACT_DOMAIN_ID, trainSmallProject } from '../support/trained-project';

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

describe('durability', () => {
  it('an iteration interrupted by kill -9 is resumed at the next start, never stuck in Training', async () => {
    let service = await startServiceProcess();
    let trainer = trainingClient(service.url);
    const projectId = (await trainer.createProject('crash during training')).id as string;
    for (const name of CLASSES) {
      const tagId = (await trainer.createTag(projectId, name)).id as string;
      const images = imageFiles('train', name).slice(0, 40).map((f) => ({ name: f, contents: readImage(f), tagIds: [tagId] }));
      assert.ok((await trainer.createImagesFromFiles(projectId, { images })).isBatchSuccessful);
    }
    const started = await trainer.trainProject(projectId);
    assert.equal(started.status, 'Training');
    await service.kill();

    service = await startServiceProcess({ dataDir: service.dataDir });
    try {
      trainer = trainingClient(service.url);
      const iteration = await waitForIteration(trainer, projectId, started.id as string, { pollMs: 300, timeoutMs: 120_000 });
      assert.equal(iteration.status, 'Completed', iteration.trainingErrorDetails ?? '');
      assert.match(service.output(), /Resuming 1 iteration/);
      const performance = await trainer.getIterationPerformance(projectId, started.id as string);
      assert.equal(performance.perTagPerformance?.length, 3);
    } finally {
      await service.stop();
    }
  });

  it('after kill -9 mid-upload, every acknowledged image is there, intact, and no half-stored one', async () => {
    let service = await startServiceProcess();
    let trainer = trainingClient(service.url);
    const projectId = (await trainer.createProject('crash during upload')).id as string;
    const tagId = (await trainer.createTag(projectId, 'Developed')).id as string;
    const files = [...imageFiles('train', 'Developed'), ...imageFiles('train', 'Cultivated')];
    const acknowledged = new Map<string, string>();
    let killed = false;
    // Several uploads in flight at once; the kill lands while some are being received or stored.
    const uploads = [0, 1, 2, 3].map(async (lane) => {
      for (let start = lane * 8; start < files.length && !killed; start += 32) {
        const batch = files.slice(start, start + 8).map((f) => ({ name: f, contents: readImage(f), tagIds: [tagId] }));
        try {
          const summary = await trainer.createImagesFromFiles(projectId, { images: batch });
          for (const result of summary.images ?? []) if (result.status === 'OK') acknowledged.set(result.image?.id as string, sha(readImage(result.sourceUrl as string)));
        } catch {
          return; // the connection died with the server: this batch was never acknowledged
        }
      }
    });
    while (acknowledged.size < 40) await new Promise((r) => setTimeout(r, 20));
    killed = true;
    await service.kill();
    await Promise.all(uploads);

    service = await startServiceProcess({ dataDir: service.dataDir });
    try {
      trainer = trainingClient(service.url);
      const stored = [];
      for (let skip = 0; ; skip += 256) {
        const page = await trainer.getTaggedImages(projectId, { take: 256, skip });
        stored.push(...page);
        if (page.length < 256) break;
      }
      const storedIds = new Set(stored.map((i) => i.id));
      for (const id of acknowledged.keys()) assert.ok(storedIds.has(id), `acknowledged image ${id} survived`);
      // Every stored image, acknowledged or not, is complete: its bytes are a whole dataset file.
      const datasetHashes = new Set(files.map((f) => sha(readImage(f))));
      for (const image of stored) {
        const bytes = Buffer.from(await (await fetch(image.originalImageUri as string)).arrayBuffer());
        assert.ok(datasetHashes.has(sha(bytes)), `image ${image.id} is intact`);
        if (acknowledged.has(image.id as string)) assert.equal(sha(bytes), acknowledged.get(image.id as string));
      }
    } finally {
      await service.stop();
    }
  });

  it('an export cut short by kill -9 reads Failed after the restart, leaves no partial file, and can be requested again', async () => {
    let service = await startServiceProcess();
    const { trainer, projectId, iterationId } = await trainSmallProject(service.url, { domainId: COMPACT_DOMAIN_ID, perClass: 10, publish: false });
    const exportsDir = path.join(service.dataDir, 'exports');
    await trainer.exportIteration(projectId, iterationId, 'DockerFile', { flavor: 'Linux' });
    // Kill while the package is being written: its temp file exists and has data.
    const deadline = Date.now() + 60_000;
    const partial = () => readdirSync(exportsDir).filter((name) => name.endsWith('.tmp') && statSync(path.join(exportsDir, name)).size > 0);
    while (partial().length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    assert.equal(partial().length, 1, 'a package was being written');
    await service.kill();

    service = await startServiceProcess({ dataDir: service.dataDir });
    try {
      const client = trainingClient(service.url);
      const [cut] = await client.getExports(projectId, iterationId);
      assert.equal(cut.status, 'Failed');
      assert.deepEqual(readdirSync(exportsDir), [], 'no partial package is left');
      const again = await exportAndWait({ trainer: client }, projectId, iterationId, 'DockerFile', { flavor: 'Linux', pollIntervalInMs: 200 });
      const zip = Buffer.from(await (await fetch(again.downloadUri as string)).arrayBuffer());
      assert.equal(zip.subarray(0, 4).toString('latin1'), 'PK\x03\x04');
      assert.deepEqual(readdirSync(exportsDir).filter((name) => name.endsWith('.tmp')), []);
    } finally {
      await service.stop();
    }
  });
});
