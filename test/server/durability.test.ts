/** A service killed with SIGKILL mid-training or mid-upload comes back consistent. */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { CLASSES, imageFiles, readImage } from '../support/dataset';
import { startServiceProcess } from '../support/service-process';
import { trainingClient } from '../support/sdk';

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
      let iteration = await trainer.getIteration(projectId, started.id as string);
      const deadline = Date.now() + 120_000;
      while (iteration.status === 'Training' && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 300));
        iteration = await trainer.getIteration(projectId, started.id as string);
      }
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
});
