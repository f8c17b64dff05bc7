/**
 * @module Builds export packages as Custom Vision lays them out: an ONNX zip (model.onnx, labels.txt,
 * cvexport.manifest, metadata_properties.json) and a Linux Docker build context (Dockerfile, app/
 * with the model, a bundled prediction server and its native runtime packages).
 */
import { createHash } from 'node:crypto';
import JSZip from 'jszip';
import type { ExportSource } from '../projects/exports';
import { bundledServer } from './bundle';
import { buildClassifierModel, IMAGE_METADATA, MODEL_INPUT, MODEL_OUTPUT, type ClassifierModel } from './classifier-model';
import { dockerfile, dockerReadme, onnxReadme } from './docs';
import { runtimeFiles } from './runtime-files';

/** Version of this exporter, written to cvexport.manifest. */
export const EXPORTER_VERSION = '2.1';

/** The preprocessing hints real exports give, with our exact rules (see also the manifest's Model section). */
export function metadataProperties(model: ClassifierModel): Record<string, string> {
  return {
    ...IMAGE_METADATA,
    'CustomVision.Preprocess.ResizeMethod': 'ShorterSideToTargetLanczos3ThenCenterCrop',
    'CustomVision.Preprocess.TargetWidth': String(model.inputSize),
    'CustomVision.Preprocess.TargetHeight': String(model.inputSize),
    'CustomVision.Preprocess.Normalization': model.normalisation,
    'CustomVision.Postprocess.Method': model.type === 'Multiclass' ? 'Softmax' : 'Sigmoid',
  };
}

function manifest(source: ExportSource, model: ClassifierModel, modelBytes: Buffer): Record<string, unknown> {
  return {
    DomainType: source.domainType,
    Platform: source.platform,
    Flavor: source.flavor,
    ExporterVersion: EXPORTER_VERSION,
    ExportedDate: new Date().toISOString(),
    IterationId: source.iterationId,
    ModelFileName: 'model.onnx',
    LabelFileName: 'labels.txt',
    ModelFileSHA1: createHash('sha1').update(modelBytes).digest('hex'),
    SchemaVersion: '1.0',
    MetadataPropsFileName: 'metadata_properties.json',
    // Not in Azure's manifests: the exact contract of the model, so nothing about its input is guesswork.
    Model: {
      Input: {
        Name: MODEL_INPUT,
        Shape: ['batch', 3, model.inputSize, model.inputSize],
        ElementType: 'float32',
        Layout: 'NCHW',
        ColorOrder: 'RGB',
        PixelRange: '0-255 (raw 8-bit values as floats, no scaling)',
        Normalization: `${model.normalisation}: done inside the graph; do not normalise before feeding`,
        Resize: `scale the shorter side to ${model.inputSize} px (Lanczos3), then crop the centre ${model.inputSize}x${model.inputSize}; apply EXIF orientation first; drop alpha`,
      },
      Outputs: [{ Name: MODEL_OUTPUT, Shape: ['batch', source.tags.length], Meaning: `${model.type === 'Multiclass' ? 'softmax' : 'per-tag sigmoid'} probabilities in the order of labels.txt` }],
    },
  };
}

function labels(source: ExportSource): string {
  return `${source.tags.map((t) => t.name).join('\n')}\n`;
}

/** The files both packages share: model, labels, manifest, metadata. */
function modelFiles(source: ExportSource, modelPath: string): Record<string, Buffer | string> {
  const model = buildClassifierModel(source.head, modelPath);
  return {
    'model.onnx': model.bytes,
    'labels.txt': labels(source),
    'cvexport.manifest': `${JSON.stringify(manifest(source, model, model.bytes), null, 2)}\n`,
    'metadata_properties.json': `${JSON.stringify(metadataProperties(model), null, 2)}\n`,
  };
}

async function zipOf(add: (zip: JSZip) => void): Promise<Buffer> {
  const zip = new JSZip();
  add(zip);
  return zip.generateAsync({ type: 'nodebuffer', compression: 'DEFLATE', compressionOptions: { level: 6 }, platform: 'UNIX' });
}

export async function buildOnnxPackage(source: ExportSource, modelPath: string): Promise<Buffer> {
  const files = modelFiles(source, modelPath);
  return zipOf((zip) => {
    for (const [name, content] of Object.entries(files)) zip.file(name, content);
    zip.file('README.md', onnxReadme(source));
  });
}

export async function buildDockerPackage(source: ExportSource, modelPath: string): Promise<Buffer> {
  const files = modelFiles(source, modelPath);
  const server = await bundledServer();
  const info = {
    projectId: source.projectId,
    iterationId: source.iterationId,
    inputName: MODEL_INPUT,
    outputName: MODEL_OUTPUT,
    tags: source.tags,
  };
  return zipOf((zip) => {
    zip.file('Dockerfile', dockerfile());
    zip.file('README.md', dockerReadme(source));
    const app = zip.folder('app') as JSZip;
    for (const [name, content] of Object.entries(files)) app.file(name, content);
    app.file('server.js', server);
    app.file('export-info.json', `${JSON.stringify(info, null, 2)}\n`);
    app.file('package.json', `${JSON.stringify({ name: 'customvision-export', private: true, main: 'server.js', scripts: { start: 'node server.js' } }, null, 2)}\n`);
    for (const file of runtimeFiles()) app.file(file.path, file.bytes, { unixPermissions: file.mode });
  });
}

/** The builder the service's exporter uses; `modelPath` is the backbone the service trained with. */
export function buildPackage(source: ExportSource, modelPath: string): Promise<Buffer> {
  if (source.platform === 'ONNX') return buildOnnxPackage(source, modelPath);
  if (source.platform === 'DockerFile') return buildDockerPackage(source, modelPath);
  return Promise.reject(new Error(`no package builder for ${source.platform}`));
}
