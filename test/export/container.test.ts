/**
 * The exported Docker package as a real container: built FROM a base image made locally from
 * Debian's packages (no registry, no network during the build), run, and called on /image.
 * What it needs (a container runtime that starts containers here, and root and debootstrap to make
 * the base image) is found first; where something is missing the test is skipped and says exactly
 * what, or fails with CVLAB_REQUIRE_CONTAINER=1. It never passes silently.
 */
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import type { PredictionAPIModels } from '@azure/cognitiveservices-customvision-prediction';
import { buildImage, removeImage, runContainer, stopContainer, waitForLog } from '../support/container/containers';
import { prepareContainerHost } from '../support/container/host';
import { downloadExport, exportAndWait, unzip } from '../../lib/src/export';
import { CLASSES, imageFiles, readImage } from '../support/dataset';
import { skipUnlessRequired } from '../support/prerequisites';
import { startServiceProcess } from '../support/service-process';
import { predictionClient } from '../support/sdk';
import { COMPACT_DOMAIN_ID, PUBLISH_NAME, trainSmallProject } from '../support/trained-project';
import { freePort } from '../support/net';

test('the exported Docker package builds and runs as a container that predicts like the service', async (t) => {
  const host = await prepareContainerHost((line) => t.diagnostic(line));
  if ('missing' in host) {
    const skip = skipUnlessRequired(host.missing, 'CONTAINER');
    assert.ok(skip, host.missing);
    t.diagnostic(skip);
    console.log(`SKIPPED: ${host.missing}`);
    t.skip(skip);
    return;
  }
  const { runtime, baseImage } = host.found;

  const service = await startServiceProcess();
  const tag = `localhost/cvlab-export-test:${Date.now()}`;
  const name = `cvlab-export-test-${process.pid}`;
  try {
    // Exports need a compact domain: train on one from the start.
    const project = await trainSmallProject(service.url, { domainId: COMPACT_DOMAIN_ID });
    const exported = await exportAndWait({ trainer: project.trainer }, project.projectId, project.iterationId, 'DockerFile', { flavor: 'Linux', pollIntervalInMs: 200 });
    const context = mkdtempSync(path.join(os.tmpdir(), 'docker-context-'));
    await unzip(await downloadExport(exported, mkdtempSync(path.join(os.tmpdir(), 'docker-download-'))), context);

    await buildImage(runtime, context, tag, { BASE_IMAGE: baseImage });
    const container = await runContainer(runtime, tag, { name, port: await freePort() });
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
    await stopContainer(runtime, name);
    await removeImage(runtime, tag);
    await service.stop();
  }
});
