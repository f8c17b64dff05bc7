/**
 * The exported Docker package as a real container: built FROM a base image made locally from
 * Debian's packages (no registry, no network during the build), run, and called on /image.
 * Where no container runtime works, the test is skipped and says why; it never passes silently.
 */
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import type { PredictionAPIModels } from '@azure/cognitiveservices-customvision-prediction';
import { buildImage, detectContainerRuntime, ensureBaseImage, removeImage, runContainer, stopContainer, waitForLog } from '../support/container-base';
import { downloadExport, exportIteration, unzip } from '../../lib/src/export';
import { CLASSES, imageFiles, readImage } from '../support/dataset';
import { startServiceProcess } from '../support/service-process';
import { predictionClient } from '../support/sdk';
import { COMPACT_DOMAIN_ID, PUBLISH_NAME, trainSmallProject } from '../support/trained-project';
import { freePort } from '../support/net';


test('the exported Docker package builds and runs as a container that predicts like the service', async (t) => {
  const runtime = await detectContainerRuntime();
  if (runtime.kind === 'none') {
    const reason = `no container runtime can run here: ${runtime.reason}`;
    t.diagnostic(reason);
    console.log(`SKIPPED: ${reason}`);
    t.skip(reason);
    return;
  }
  t.diagnostic(`container runtime: ${runtime.kind} ${runtime.version}`);
  const base = await ensureBaseImage({ log: (line) => t.diagnostic(line) });

  const service = await startServiceProcess();
  const tag = `localhost/cvlab-export-test:${Date.now()}`;
  const name = `cvlab-export-test-${process.pid}`;
  try {
    // Exports need a compact domain: train on one from the start.
    const project = await trainSmallProject(service.url, { domainId: COMPACT_DOMAIN_ID });
    const exported = await exportIteration(project.trainer, project.projectId, project.iterationId, 'DockerFile', { flavor: 'Linux', pollIntervalInMs: 200 });
    const context = mkdtempSync(path.join(os.tmpdir(), 'docker-context-'));
    await unzip(await downloadExport(exported, mkdtempSync(path.join(os.tmpdir(), 'docker-download-'))), context);

    await buildImage(context, tag, { BASE_IMAGE: base }, { runtime: runtime.kind });
    const port = await freePort();
    const container = await runContainer(tag, { name, network: 'host', publish: port, env: { PORT: String(port) }, runtime: runtime.kind });
    await waitForLog(container, /Running on/);

    const predictor = predictionClient(service.url);
    for (const className of CLASSES) {
      const file = imageFiles('test', className)[0];
      const response = await fetch(`${container.url}/image`, { method: 'POST', headers: { 'content-type': 'application/octet-stream' }, body: readImage(file) });
      assert.equal(response.status, 200);
      const fromContainer = (await response.json()) as PredictionAPIModels.ImagePrediction;
      const fromService = await predictor.classifyImageWithNoStore(project.projectId, PUBLISH_NAME, readImage(file));
      assert.equal(fromContainer.predictions?.[0].tagName, fromService.predictions?.[0].tagName);
      const service = new Map(fromService.predictions?.map((p) => [p.tagName, p.probability as number]));
      for (const p of fromContainer.predictions ?? []) assert.ok(Math.abs((p.probability as number) - (service.get(p.tagName) as number)) <= 1e-4);
    }
  } finally {
    await stopContainer(name, { runtime: runtime.kind });
    await removeImage(tag, runtime.kind);
    await service.stop();
  }
});
