/**
 * After an upgrade that changes the backbone (as the move from the int8 to the float MobileNetV2
 * did), iterations trained before it refuse to predict with a clear reason, and training the
 * project again is possible without changing any image: a re-run of the lab just works.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { exportAndWait } from '../../lib/src/export';
import { trainAndWait } from '../../lib/src/training';
import { imageFiles, readImage } from '../support/dataset';
import { predictionClient, trainingClient, type SdkError } from '../support/sdk';
import { startServiceProcess } from '../support/service-process';
import { COMPACT_DOMAIN_ID, PUBLISH_NAME, trainSmallProject } from '../support/trained-project';

const outdated = (e: SdkError) => e.statusCode === 400 && e.code === 'BadRequestIterationValidationFailed' && /earlier version of the local service's backbone.*train the project again/.test(e.message ?? '');

describe('an iteration trained on an earlier backbone', () => {
  it('refuses to predict or export, saying so, and the project trains again unchanged', async () => {
    let service = await startServiceProcess();
    const project = await trainSmallProject(service.url, { perClass: 10, domainId: COMPACT_DOMAIN_ID });
    await service.stop();

    // What a head trained before the upgrade looks like: no backbone recorded (or another one).
    const db = new Database(path.join(service.dataDir, 'service.sqlite'));
    const { model } = db.prepare('SELECT model FROM iterations WHERE id = ?').get(project.iterationId) as { model: string };
    const head = JSON.parse(model) as { backbone?: string };
    assert.match(head.backbone ?? '', /^[0-9a-f]{64}$/, 'heads record the backbone they were trained on');
    delete head.backbone;
    db.prepare('UPDATE iterations SET model = ? WHERE id = ?').run(JSON.stringify(head), project.iterationId);
    db.close();

    service = await startServiceProcess({ dataDir: service.dataDir });
    try {
      const trainer = trainingClient(service.url);
      const image = readImage(imageFiles('test', 'Barren')[0]);
      await assert.rejects(trainer.quickTestImage(project.projectId, image, { iterationId: project.iterationId }), outdated);
      await assert.rejects(predictionClient(service.url).classifyImage(project.projectId, PUBLISH_NAME, image), outdated);
      await assert.rejects(exportAndWait({ trainer }, project.projectId, project.iterationId, 'ONNX'), outdated);

      // Nothing changed in the workspace, yet training is needed: the lab's re-run trains a new iteration.
      const retrained = await trainAndWait({ trainer }, project.projectId, { pollIntervalInMs: 200 });
      assert.notEqual(retrained.id, project.iterationId);
      assert.equal(retrained.status, 'Completed');
      const result = await trainer.quickTestImage(project.projectId, image, { iterationId: retrained.id });
      assert.equal(result.predictions?.length, 3);
      // And with the new iteration current, nothing changed means no training again.
      await assert.rejects(trainer.trainProject(project.projectId), (e: SdkError) => e.code === 'BadRequestTrainingNotNeeded');
    } finally {
      await service.stop();
    }
  });
});
