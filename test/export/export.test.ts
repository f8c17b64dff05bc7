/**
 * Exports: only compact domains export; the ONNX model predicts exactly like the service's
 * endpoint, reading nothing but its manifest; the Docker package's server, started with node,
 * answers like the service.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { PredictionAPIClient, PredictionAPIModels } from '@azure/cognitiveservices-customvision-prediction';
import type { TrainingAPIModels } from '@azure/cognitiveservices-customvision-training';
import * as ort from 'onnxruntime-node';
import sharp from 'sharp';
import { downloadExport, exportAndWait, unzip } from '../../lib/src/export';
import { CLASSES, imageFiles, readImage } from '../support/dataset';
import { startServiceProcess, type ServiceProcess } from '../support/service-process';
import { predictionClient, type SdkError } from '../support/sdk';
import { COMPACT_DOMAIN_ID, PUBLISH_NAME, retrainCompact, trainSmallProject, type TrainedProject } from '../support/trained-project';
import { freePort } from '../support/net';
import { watchChild } from '../support/watched-child';

const testImages = () => CLASSES.flatMap((c) => imageFiles('test', c));

interface Manifest {
  ModelFileName: string;
  LabelFileName: string;
  Model: { Input: { Name: string; Shape: (number | string)[]; ColorOrder: string; PixelRange: string; Layout: string }; Outputs: { Name: string }[] };
}

/** Prepares an image only as the manifest describes: orient, cover-resize + centre crop, RGB, raw 0-255, NCHW. */
async function manifestInput(file: string, manifest: Manifest): Promise<ort.Tensor> {
  const { Shape, ColorOrder, Layout, PixelRange } = manifest.Model.Input;
  assert.equal(ColorOrder, 'RGB');
  assert.equal(Layout, 'NCHW');
  assert.match(PixelRange, /^0-255/);
  const side = Number(Shape[2]);
  const { data } = await sharp(readImage(file))
    .rotate()
    .resize(side, side, { fit: 'cover', position: 'centre', kernel: 'lanczos3' })
    .toColourspace('srgb')
    .removeAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  const plane = side * side;
  const chw = new Float32Array(3 * plane);
  for (let p = 0; p < plane; p++) for (let c = 0; c < 3; c++) chw[c * plane + p] = data[p * 3 + c];
  return new ort.Tensor('float32', chw, [1, 3, side, side]);
}

function byTag(result: PredictionAPIModels.ImagePrediction): Map<string, number> {
  return new Map((result.predictions ?? []).map((p) => [p.tagName as string, p.probability as number]));
}

describe('exports', () => {
  let service: ServiceProcess;
  let project: TrainedProject;
  let predictor: PredictionAPIClient;
  let compactIterationId: string;
  const endpointResults = new Map<string, PredictionAPIModels.ImagePrediction>();

  before(async () => {
    service = await startServiceProcess();
    project = await trainSmallProject(service.url, { publish: false });
    predictor = predictionClient(service.url);
  });
  after(async () => {
    await service?.stop();
  });

  it('refuses to export an iteration of a non-compact domain, and unsupported platforms', async () => {
    const iteration = await project.trainer.getIteration(project.projectId, project.iterationId);
    assert.equal(iteration.exportable, false);
    await assert.rejects(project.trainer.exportIteration(project.projectId, project.iterationId, 'ONNX'), (e: SdkError) => {
      assert.equal(e.statusCode, 400);
      assert.equal(e.code, 'BadRequestExportValidationFailed');
      assert.match(e.message ?? '', /compact/);
      return true;
    });
  });

  it('switches the project to General (compact), retrains, and the iteration is exportable', async () => {
    const domains = await project.trainer.getDomains();
    const compact = domains.find((d) => d.name === 'General (compact)' && d.type === 'Classification');
    assert.equal(compact?.id, COMPACT_DOMAIN_ID);
    assert.equal(compact?.exportable, true);
    const iteration = await retrainCompact(project);
    assert.equal(iteration.exportable, true);
    assert.deepEqual(iteration.exportableTo, ['ONNX', 'DockerFile']);
    compactIterationId = iteration.id as string;
    await project.trainer.publishIteration(project.projectId, compactIterationId, PUBLISH_NAME, 'local');
    for (const file of testImages()) endpointResults.set(file, await predictor.classifyImageWithNoStore(project.projectId, PUBLISH_NAME, readImage(file)));
    await assert.rejects(
      project.trainer.exportIteration(project.projectId, compactIterationId, 'TensorFlow'),
      (e: SdkError) => e.statusCode === 400 && e.code === 'BadRequestProjectUnsupportedExportPlatform',
    );
    await assert.rejects(
      project.trainer.exportIteration(project.projectId, compactIterationId, 'DockerFile', { flavor: 'ARM' }),
      (e: SdkError) => e.statusCode === 400 && e.code === 'BadRequestProjectUnsupportedExportPlatform',
    );
  });

  it('exports ONNX whose model, fed as its manifest says, gives the endpoint\'s probabilities for every test image', async (t) => {
    const exported = await exportAndWait({ trainer: project.trainer }, project.projectId, compactIterationId, 'ONNX', { pollIntervalInMs: 200 });
    assert.match(exported.downloadUri as string, new RegExp(`/${compactIterationId.replace(/-/g, '')}\\.ONNX\\.zip$`));
    const folder = mkdtempSync(path.join(os.tmpdir(), 'onnx-export-'));
    const zipFile = await downloadExport(exported, mkdtempSync(path.join(os.tmpdir(), 'onnx-download-')));
    const names = (await unzip(zipFile, folder)).map((f) => f.path);
    assert.deepEqual(names.sort(), ['README.md', 'cvexport.manifest', 'labels.txt', 'metadata_properties.json', 'model.onnx']);
    const manifest = JSON.parse(readFileSync(path.join(folder, 'cvexport.manifest'), 'utf8')) as Manifest & Record<string, unknown>;
    for (const key of ['DomainType', 'Platform', 'Flavor', 'ExporterVersion', 'ExportedDate', 'IterationId', 'ModelFileName', 'LabelFileName', 'ModelFileSHA1', 'SchemaVersion', 'MetadataPropsFileName']) {
      assert.ok(key in manifest, `cvexport.manifest has ${key}`);
    }
    assert.equal(manifest.IterationId, compactIterationId);
    const metadata = JSON.parse(readFileSync(path.join(folder, 'metadata_properties.json'), 'utf8')) as Record<string, string>;
    assert.equal(metadata['Image.BitmapPixelFormat'], 'Rgb8');
    const labels = readFileSync(path.join(folder, manifest.LabelFileName), 'utf8').trim().split('\n');
    assert.deepEqual([...labels].sort(), [...CLASSES]);

    const session = await ort.InferenceSession.create(path.join(folder, manifest.ModelFileName));
    assert.deepEqual(session.inputNames, [manifest.Model.Input.Name]);
    let worst = 0;
    for (const file of testImages()) {
      const output = await session.run({ [manifest.Model.Input.Name]: await manifestInput(file, manifest) });
      const scores = output[manifest.Model.Outputs[0].Name].data as Float32Array;
      const endpoint = byTag(endpointResults.get(file) as PredictionAPIModels.ImagePrediction);
      labels.forEach((label, i) => (worst = Math.max(worst, Math.abs(scores[i] - (endpoint.get(label) as number)))));
      const top = labels[scores.indexOf(Math.max(...scores))];
      assert.equal(top, endpointResults.get(file)?.predictions?.[0].tagName, `same top tag for ${path.basename(file)}`);
    }
    assert.ok(worst <= 1e-4, `max abs difference ${worst}`);
    t.diagnostic(`largest difference to the endpoint's probabilities: ${worst.toExponential(2)}`);
    await session.release();
  });

  it('exports a Docker package whose server, started with node, answers like the service', async () => {
    const exported = await exportAndWait({ trainer: project.trainer }, project.projectId, compactIterationId, 'DockerFile', { flavor: 'Linux', pollIntervalInMs: 200 });
    const folder = mkdtempSync(path.join(os.tmpdir(), 'docker-export-'));
    const zipFile = await downloadExport(exported, mkdtempSync(path.join(os.tmpdir(), 'docker-download-')));
    const names = (await unzip(zipFile, folder)).map((f) => f.path);
    for (const name of ['Dockerfile', 'app/server.js', 'app/model.onnx', 'app/labels.txt', 'app/cvexport.manifest', 'app/metadata_properties.json']) {
      assert.ok(names.includes(name), `package has ${name}`);
    }
    assert.match(readFileSync(path.join(folder, 'Dockerfile'), 'utf8'), /ARG BASE_IMAGE=/);

    const port = await freePort();
    const child = spawn(process.execPath, ['server.js'], {
      cwd: path.join(folder, 'app'),
      env: { PATH: process.env.PATH, PORT: String(port), HOST: '127.0.0.1', ALLOW_PRIVATE_URLS: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const server = watchChild(child);
    const images = http.createServer((req, res) => res.writeHead(200, { 'content-type': 'image/png' }).end(readImage(testImages()[0])));
    try {
      await server.waitFor(/Running on/, 'the exported server', 30_000);
      const base = `http://127.0.0.1:${port}`;
      assert.equal((await (await fetch(`${base}/health`)).json() as { status: string }).status, 'ok');
      let worst = 0;
      for (const [i, file] of testImages().entries()) {
        // Alternate the two ways of sending the image the package documents.
        const body = i % 2 === 0 ? readImage(file) : formWith(readImage(file));
        const response = await fetch(`${base}/image`, { method: 'POST', body, headers: i % 2 === 0 ? { 'content-type': 'application/octet-stream' } : {} });
        assert.equal(response.status, 200, server.output());
        const result = (await response.json()) as PredictionAPIModels.ImagePrediction;
        const endpoint = endpointResults.get(file) as PredictionAPIModels.ImagePrediction;
        assert.equal(result.iteration, compactIterationId);
        assert.equal(result.predictions?.[0].tagName, endpoint.predictions?.[0].tagName);
        for (const [tag, p] of byTag(result)) worst = Math.max(worst, Math.abs(p - (byTag(endpoint).get(tag) as number)));
      }
      assert.ok(worst <= 1e-4, `max abs difference ${worst}`);
      await new Promise<void>((resolve) => images.listen(0, '127.0.0.1', resolve));
      const url = `http://127.0.0.1:${(images.address() as AddressInfo).port}/x.png`;
      const fromUrl = (await (await fetch(`${base}/url`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ url }) })).json()) as PredictionAPIModels.ImagePrediction;
      assert.equal(fromUrl.predictions?.[0].tagName, endpointResults.get(testImages()[0])?.predictions?.[0].tagName);
      const bad = await fetch(`${base}/image`, { method: 'POST', body: Buffer.from('not an image') });
      assert.equal(bad.status, 400);
    } finally {
      images.close();
      child.kill('SIGTERM');
    }
  });

  it('advertises only the platforms it exports: every domain\'s exportablePlatforms and the iteration\'s exportableTo really export', async () => {
    const iteration = await project.trainer.getIteration(project.projectId, compactIterationId);
    const advertised = new Set([...(await project.trainer.getDomains()).flatMap((d) => d.exportablePlatforms ?? []), ...(iteration.exportableTo ?? [])]);
    assert.deepEqual([...advertised].sort(), ['DockerFile', 'ONNX']);
    for (const platform of advertised) {
      // No flavor: what a client that reads only the platform list would send.
      const exported = await exportAndWait({ trainer: project.trainer }, project.projectId, compactIterationId, platform as TrainingAPIModels.ExportPlatform, { pollIntervalInMs: 200 });
      assert.equal(exported.status, 'Done', platform);
      const zipFile = await downloadExport(exported, mkdtempSync(path.join(os.tmpdir(), 'advertised-')));
      assert.ok(statSync(zipFile).size > 1_000_000, `${platform} package holds the model`);
    }
  });
});

function formWith(bytes: Buffer): FormData {
  const form = new FormData();
  form.append('imageData', new Blob([bytes]), 'image.png');
  return form;
}
