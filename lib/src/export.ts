/** @module Exports: request, poll, download and unzip a package; run the exported ONNX model locally as its manifest says. */
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { TrainingAPIClient, TrainingAPIModels } from '@azure/cognitiveservices-customvision-training';
import JSZip from 'jszip';
import fetch from 'node-fetch';
import { onnx } from 'onnx-proto';
import * as ort from 'onnxruntime-node';
import sharp from 'sharp';
import { idOf, type Lab, type Ref } from './clients';
import { sdkOptions, waitWith, type WaitOptions } from './waiting';

type ExportModel = TrainingAPIModels.ExportModel;

/** What `exportAndWait` reports at each poll. */
export interface ExportProgress {
  exported: ExportModel;
  elapsedInMs: number;
}

/** `exportAndWait`'s options: the platform's flavor, the wait's (`pollIntervalInMs`, default 1000; `timeoutInMs`, default 10 min; `abortSignal`) and progress. */
export interface ExportOptions extends WaitOptions {
  /** E.g. 'Linux' for a DockerFile export; none for plain ONNX. */
  flavor?: TrainingAPIModels.ExportFlavor;
  /** Called with the export after the request and after each poll. */
  onProgress?: (progress: ExportProgress) => void;
}

/**
 * `exportIteration` (unless that export is already there), then `getExports` every
 * `pollIntervalInMs` until its status is no longer Exporting. Returns it once Done; throws if it failed.
 * It polls for the export the service answered with, by its platform and flavor: a service may fill
 * in a default flavor (DockerFile without one is exported as Linux).
 */
export async function exportAndWait(
  lab: Pick<Lab, 'trainer'>,
  project: Ref,
  iteration: Ref,
  platform: TrainingAPIModels.ExportPlatform,
  options: ExportOptions = {},
): Promise<ExportModel> {
  const { trainer } = lab;
  const [projectId, iterationId] = [idOf(project, 'project'), idOf(iteration, 'iteration')];
  const { flavor } = options;
  // The export to look for: at first the one requested, then the one the service answered with.
  let wanted: { platform?: string; flavor?: string } = { platform, flavor };
  const matches = (e: ExportModel) => e.platform === wanted.platform && (e.flavor ?? undefined) === (wanted.flavor ?? undefined);
  let name = `The ${platform}${flavor ? ` (${flavor})` : ''} export`;
  return waitWith(options, 10 * 60_000, () => `${name} is still Exporting`, async (waiter) => {
    const listed = async () => (await trainer.getExports(projectId, iterationId, sdkOptions(waiter.signal))).find(matches);
    let exported = await listed();
    if (!exported || exported.status === 'Failed') {
      exported = await trainer.exportIteration(projectId, iterationId, platform, { flavor, ...sdkOptions(waiter.signal) });
      wanted = { platform: exported.platform ?? platform, flavor: exported.flavor };
      name = `The ${wanted.platform}${wanted.flavor ? ` (${wanted.flavor})` : ''} export`;
    }
    options.onProgress?.({ exported, elapsedInMs: waiter.elapsedInMs() });
    while (exported.status === 'Exporting') {
      await waiter.pause();
      const latest = await listed();
      if (!latest) throw new Error(`${name} is not listed by getExports any more.`);
      exported = latest;
      options.onProgress?.({ exported, elapsedInMs: waiter.elapsedInMs() });
    }
    if (exported.status !== 'Done') throw new Error(`${name} ${exported.status}.`);
    return exported;
  });
}

/** Downloads a Done export's package from its `downloadUri` (no key needed) into `folder`; returns the zip's path. */
export async function downloadExport(exported: ExportModel, folder: string, options: { abortSignal?: AbortSignal } = {}): Promise<string> {
  if (!exported.downloadUri) throw new Error(`The ${exported.platform} export has no downloadUri: its status is ${exported.status}.`);
  const response = await fetch(exported.downloadUri, { signal: options.abortSignal });
  if (!response.ok) throw new Error(`download failed: HTTP ${response.status}`);
  const name = decodeURIComponent(new URL(exported.downloadUri).pathname.split('/').pop() || 'export.zip').split('?')[0];
  mkdirSync(folder, { recursive: true });
  const file = path.join(folder, name.endsWith('.zip') ? name : `${name}.zip`);
  writeFileSync(file, Buffer.from(await response.arrayBuffer()));
  return file;
}

/** A file of an unzipped package: its path inside the zip and its size. */
export interface UnzippedFile {
  path: string;
  bytes: number;
}

/** Unzips into `folder` (keeping Unix modes); lists every file with its size. */
export async function unzip(zipFile: string, folder: string): Promise<UnzippedFile[]> {
  const zip = await JSZip.loadAsync(readFileSync(zipFile));
  const files: UnzippedFile[] = [];
  for (const entry of Object.values(zip.files)) {
    const target = path.resolve(folder, entry.name);
    if (!target.startsWith(path.resolve(folder))) throw new Error(`zip entry escapes the folder: ${entry.name}`);
    if (entry.dir) continue;
    mkdirSync(path.dirname(target), { recursive: true });
    writeFileSync(target, await entry.async('nodebuffer'), { mode: typeof entry.unixPermissions === 'number' ? entry.unixPermissions & 0o777 : 0o644 });
    files.push({ path: entry.name, bytes: statSync(target).size });
  }
  return files;
}

/** A summary of a package's contents: top-level entries, and node_modules folded into one line. */
export function describeContents(files: UnzippedFile[]): string[] {
  const modules = files.filter((f) => f.path.includes('node_modules/'));
  const rest = files.filter((f) => !f.path.includes('node_modules/'));
  const kb = (n: number) => `${(n / 1024).toFixed(n < 10240 ? 1 : 0)} KB`;
  const lines = rest.map((f) => `${f.path.padEnd(40)} ${kb(f.bytes)}`);
  if (modules.length) lines.push(`${'app/node_modules/ (runtime packages)'.padEnd(40)} ${modules.length} files, ${(modules.reduce((s, f) => s + f.bytes, 0) / 1048576).toFixed(1)} MB`);
  return lines;
}

/** What the model expects and gives: from the manifest's Model section (local exports) or the model's own metadata (Azure's). */
export interface ModelContract {
  inputName: string;
  size: number;
  outputName: string;
  labels: string[];
  colorOrder: 'RGB' | 'BGR';
  /** Factor applied to 0-255 pixel values: 1, or 1/255 for models that want [0, 1]. */
  scale: number;
}

type Manifest = {
  ModelFileName?: string;
  LabelFileName: string;
  Model?: { Input: { Name: string; Shape: (number | string)[] }; Outputs: { Name: string }[] };
};

/** What the exported model in `folder` expects and gives, from its manifest or, for Azure's packages, the model's metadata. */
export function readContract(folder: string): ModelContract {
  const manifest = JSON.parse(readFileSync(path.join(folder, 'cvexport.manifest'), 'utf8')) as Manifest;
  const labels = readFileSync(path.join(folder, manifest.LabelFileName ?? 'labels.txt'), 'utf8').trim().split(/\r?\n/);
  if (manifest.Model) {
    return {
      inputName: manifest.Model.Input.Name,
      size: Number(manifest.Model.Input.Shape[2]),
      outputName: manifest.Model.Outputs[0].Name,
      labels,
      colorOrder: 'RGB',
      scale: 1,
    };
  }
  // Azure's ONNX exports: names and shape from the graph, pixel format from its metadata_props.
  const model = onnx.ModelProto.decode(readFileSync(path.join(folder, manifest.ModelFileName ?? 'model.onnx')));
  const props = new Map((model.metadataProps ?? []).map((p) => [p.key, p.value]));
  const input = model.graph?.input?.[0];
  const dims = input?.type?.tensorType?.shape?.dim ?? [];
  return {
    inputName: input?.name ?? 'data',
    size: Number(dims[2]?.dimValue ?? 224),
    outputName: model.graph?.output?.[0]?.name ?? 'model_outputs0',
    labels,
    colorOrder: props.get('Image.BitmapPixelFormat') === 'Bgr8' ? 'BGR' : 'RGB',
    scale: props.get('Image.NominalPixelRange') === 'NominalRange_0_255' ? 1 : 1 / 255,
  };
}

/**
 * Prepares an image exactly as the model's contract says (orient, scale the shorter side to the
 * input size with Lanczos3, centre crop, channel order, pixel scale, NCHW), runs the exported
 * model with onnxruntime-node, and maps the scores back to the labels, highest first.
 */
export async function runExportedModel(folder: string, imageFile: string): Promise<{ tagName: string; probability: number }[]> {
  const contract = readContract(folder);
  const { data } = await sharp(readFileSync(imageFile))
    .rotate()
    .resize(contract.size, contract.size, { fit: 'cover', position: 'centre', kernel: 'lanczos3' })
    .toColourspace('srgb')
    .removeAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  const plane = contract.size * contract.size;
  const order = contract.colorOrder === 'RGB' ? [0, 1, 2] : [2, 1, 0];
  const chw = new Float32Array(3 * plane);
  for (let p = 0; p < plane; p++) for (let c = 0; c < 3; c++) chw[c * plane + p] = data[p * 3 + order[c]] * contract.scale;
  const session = await ort.InferenceSession.create(path.join(folder, 'model.onnx'));
  try {
    const output = await session.run({ [contract.inputName]: new ort.Tensor('float32', chw, [1, 3, contract.size, contract.size]) });
    const scores = output[contract.outputName].data as Float32Array;
    return contract.labels.map((tagName, i) => ({ tagName, probability: scores[i] })).sort((a, b) => b.probability - a.probability);
  } finally {
    await session.release();
  }
}

/** The commands to build and run the Docker package, and to call it. */
export function dockerCommands(contextFolder: string, imageFile: string): string[] {
  return [
    `cd ${contextFolder}`,
    'docker build -t aerial-classifier .            # or: podman build -t aerial-classifier .',
    'docker run -d -p 127.0.0.1:8080:80 --name aerial aerial-classifier',
    `curl -sS -X POST http://127.0.0.1:8080/image -H "Content-Type: application/octet-stream" --data-binary @${imageFile}`,
    'docker rm -f aerial',
  ];
}
