/**
 * @module Builds export packages as Custom Vision lays them out: an ONNX zip (model.onnx, labels.txt,
 * cvexport.manifest, metadata_properties.json) and a Linux Docker build context (Dockerfile, app/
 * with the model, a bundled prediction server and its native runtime packages).
 */
import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { ZipFile } from 'yazl';
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
    'CustomVision.Postprocess.AveragedViews': model.views.join(','),
  };
}

/** How the views averaged read in the manifest. */
function viewsText(views: string[]): string {
  return views.length === 1 ? 'the image as given' : `${views.length} views of the image (${views.join(', ')}; flips mirror left-right, rotations are clockwise)`;
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
      Outputs: [
        {
          Name: MODEL_OUTPUT,
          Shape: ['batch', source.tags.length],
          Meaning: `${model.type === 'Multiclass' ? 'softmax' : 'per-tag sigmoid'} probabilities in the order of labels.txt, averaged over ${viewsText(model.views)} (done inside the graph)`,
        },
      ],
    },
  };
}

function labels(source: ExportSource): string {
  return `${source.tags.map((t) => t.name).join('\n')}\n`;
}

/** The files both packages share: model, labels, manifest, metadata. */
function modelFiles(source: ExportSource, weightsDir: string): Record<string, Buffer | string> {
  const model = buildClassifierModel(source.head, weightsDir);
  return {
    'model.onnx': model.bytes,
    'labels.txt': labels(source),
    'cvexport.manifest': `${JSON.stringify(manifest(source, model, model.bytes), null, 2)}\n`,
    'metadata_properties.json': `${JSON.stringify(metadataProperties(model), null, 2)}\n`,
  };
}

/** One file of a package: its content, or a file on this machine streamed in (the 64 MB of runtime libraries). */
type PackageEntry = { path: string } & ({ content: Buffer | string } | { source: string });

/**
 * Writes the entries as a zip at `target` and returns its size. yazl deflates with Node's zlib on
 * the thread pool, so building a Docker package does not hold up the service's event loop.
 */
async function writeZip(target: string, entries: PackageEntry[]): Promise<number> {
  const zip = new ZipFile();
  const output = zip.outputStream as Readable;
  // yazl reports a bad input (a runtime file gone missing) on the ZipFile: end the stream with it.
  zip.on('error', (error: Error) => output.destroy(error));
  const mtime = new Date();
  for (const entry of entries) {
    // Files on disk keep their own mode (yazl stats them: executables stay executable); content is a plain rw-r--r-- file.
    if ('source' in entry) zip.addFile(entry.source, entry.path, { mtime, compressionLevel: 6 });
    else zip.addBuffer(typeof entry.content === 'string' ? Buffer.from(entry.content) : entry.content, entry.path, { mtime, mode: 0o100644, compressionLevel: 6 });
  }
  zip.end();
  const out = createWriteStream(target);
  await pipeline(output, out);
  return out.bytesWritten;
}

function namedEntries(files: Record<string, Buffer | string>, prefix = ''): PackageEntry[] {
  return Object.entries(files).map(([name, content]) => ({ path: `${prefix}${name}`, content }));
}

function writeOnnxPackage(source: ExportSource, weightsDir: string, target: string): Promise<number> {
  return writeZip(target, namedEntries({ ...modelFiles(source, weightsDir), 'README.md': onnxReadme(source) }));
}

async function writeDockerPackage(source: ExportSource, weightsDir: string, target: string): Promise<number> {
  const files = modelFiles(source, weightsDir);
  const server = await bundledServer();
  const info = {
    projectId: source.projectId,
    iterationId: source.iterationId,
    inputName: MODEL_INPUT,
    outputName: MODEL_OUTPUT,
    tags: source.tags,
  };
  return writeZip(target, [
    ...namedEntries({ Dockerfile: dockerfile(), 'README.md': dockerReadme(source) }),
    ...namedEntries(
      {
        ...files,
        'server.js': server,
        'export-info.json': `${JSON.stringify(info, null, 2)}\n`,
        'package.json': `${JSON.stringify({ name: 'customvision-export', private: true, main: 'server.js', scripts: { start: 'node server.js' } }, null, 2)}\n`,
      },
      'app/',
    ),
    ...runtimeFiles().map((file) => ({ path: `app/${file.path}`, source: file.source })),
  ]);
}

/** The builder the service's exporter uses: writes the package zip at `target`; `weightsDir` is the backbone the service trained with. */
export function writePackage(source: ExportSource, weightsDir: string, target: string): Promise<number> {
  if (source.platform === 'ONNX') return writeOnnxPackage(source, weightsDir, target);
  if (source.platform === 'DockerFile') return writeDockerPackage(source, weightsDir, target);
  return Promise.reject(new Error(`no package builder for ${source.platform}`));
}
