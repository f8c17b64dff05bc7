/**
 * @module The prediction server shipped inside an exported Docker package. Bundled by esbuild at
 * export time into app/server.js, so the container needs only Node and the two native packages
 * (onnxruntime-node, sharp) that the package carries in app/node_modules.
 *
 * Routes, as Custom Vision's exported containers have them: `POST /image` (multipart field
 * `imageData`, or the raw body), `POST /url` (`{"url": ...}`), the same under the Prediction API's
 * paths, `GET /` (banner) and `GET /health`. The answer is the Prediction API's ImagePrediction.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import Busboy, { type BusboyHeaders } from '@fastify/busboy';
import * as ort from 'onnxruntime-node';
import { decodeRgb, ImageDecodeError, INPUT_SIZE, rgbTensor } from '../../ml/image';
import { fetchImage, ImageFetchError } from '../../net/fetch-image';

/** What the exporter writes beside the model (export-info.json). */
interface ExportInfo {
  projectId: string;
  iterationId: string;
  inputName: string;
  outputName: string;
  tags: { id: string; name: string; type: string }[];
}

const MAX_IMAGE_BYTES = 4 * 1024 * 1024;
const here = __dirname;

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}


function readBody(request: http.IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_IMAGE_BYTES + 64 * 1024) {
        request.destroy();
        reject(new HttpError(413, 'BadRequestImageSizeBytes', `The request is larger than ${MAX_IMAGE_BYTES} bytes.`));
      } else chunks.push(chunk);
    });
    request.on('end', () => resolve(Buffer.concat(chunks)));
    request.on('error', reject);
  });
}

/** The image of a multipart request (field imageData, file or not), else the raw body. */
async function imageOf(request: http.IncomingMessage): Promise<Buffer> {
  const type = request.headers['content-type'] ?? '';
  if (!type.startsWith('multipart/form-data')) return readBody(request);
  return new Promise((resolve, reject) => {
    let image: Buffer | undefined;
    const form = new Busboy({ headers: request.headers as BusboyHeaders, limits: { fileSize: MAX_IMAGE_BYTES + 1, files: 1 } });
    form.on('file', (field, stream) => {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        if (field.toLowerCase() === 'imagedata' || !image) image = Buffer.concat(chunks);
      });
    });
    form.on('field', (field, value) => {
      if (field.toLowerCase() === 'imagedata') image = Buffer.from(value, 'latin1');
    });
    form.on('finish', () => (image ? resolve(image) : reject(new HttpError(400, 'BadRequestImageBatch', 'The form has no imageData part.'))));
    form.on('error', (e: Error) => reject(new HttpError(400, 'BadRequestImageBatch', `Malformed multipart request: ${e.message}`)));
    request.pipe(form);
  });
}

async function main(): Promise<void> {
  const info = JSON.parse(readFileSync(path.join(here, 'export-info.json'), 'utf8')) as ExportInfo;
  const session = await ort.InferenceSession.create(path.join(here, 'model.onnx'));
  console.log(`Loading model...Success! ${info.tags.length} labels found.`);
  const allowPrivate = /^(1|true|yes)$/i.test(process.env.ALLOW_PRIVATE_URLS ?? '');

  async function predict(bytes: Buffer) {
    if (bytes.length > MAX_IMAGE_BYTES) throw new HttpError(400, 'BadRequestImageSizeBytes', `The image is ${bytes.length} bytes; the limit is ${MAX_IMAGE_BYTES}.`);
    let rgb: Uint8Array;
    try {
      rgb = await decodeRgb(bytes);
    } catch (error) {
      if (error instanceof ImageDecodeError) throw new HttpError(400, 'BadRequestImageFormat', `The image could not be decoded: ${error.message}`);
      throw error;
    }
    // The same pixels-to-tensor step as the service; normalisation is inside the model.
    const output = await session.run({ [info.inputName]: new ort.Tensor('float32', rgbTensor(rgb), [1, 3, INPUT_SIZE, INPUT_SIZE]) });
    const scores = output[info.outputName].data as Float32Array;
    return {
      id: randomUUID(),
      project: info.projectId,
      iteration: info.iterationId,
      created: new Date().toISOString(),
      predictions: info.tags
        .map((t, i) => ({ probability: scores[i], tagId: t.id, tagName: t.name, tagType: t.type }))
        .sort((a, b) => b.probability - a.probability),
    };
  }

  async function route(request: http.IncomingMessage): Promise<{ status: number; body: unknown }> {
    const url = (request.url ?? '/').split('?')[0].replace(/\/+$/, '') || '/';
    if (request.method === 'GET' && url === '/') return { status: 200, body: 'CustomVision.ai model host harness' };
    if (request.method === 'GET' && url === '/health') return { status: 200, body: { status: 'ok', iteration: info.iterationId, labels: info.tags.length } };
    // Like Custom Vision's containers, the Prediction API's paths also work: the ids in them are ignored.
    const kind = /(?:^|\/)(image|url)(?:\/nostore)?$/.exec(url)?.[1];
    if (request.method !== 'POST' || !kind) throw new HttpError(404, 'NotFound', `No route for ${request.method} ${url}.`);
    if (kind === 'image') return { status: 200, body: await predict(await imageOf(request)) };
    let target: unknown;
    try {
      target = (JSON.parse((await readBody(request)).toString('utf8')) as { url?: unknown }).url;
    } catch {
      throw new HttpError(400, 'BadRequest', 'The body must be JSON: {"url": "https://..."}.');
    }
    if (typeof target !== 'string') throw new HttpError(400, 'BadRequestImageUrl', 'The body needs a url: {"url": "https://..."}.');
    try {
      return { status: 200, body: await predict(await fetchImage(target, { maxBytes: MAX_IMAGE_BYTES, allowPrivate })) };
    } catch (error) {
      if (error instanceof ImageFetchError) throw new HttpError(400, 'BadRequestImageUrl', `Could not get the image at ${target}: ${error.message}`);
      throw error;
    }
  }

  const server = http.createServer((request, response) => {
    route(request)
      .catch((error: unknown) => {
        if (error instanceof HttpError) return { status: error.status, body: { code: error.code, message: error.message } };
        console.error(error);
        return { status: 500, body: { code: 'ErrorUnknown', message: 'Error processing image' } };
      })
      .then(({ status, body }) => {
        const text = typeof body === 'string' ? body : JSON.stringify(body);
        response.writeHead(status, { 'content-type': typeof body === 'string' ? 'text/plain' : 'application/json; charset=utf-8' }).end(text);
        console.log(`${new Date().toISOString()} ${request.method} ${request.url} ${status}`);
      });
  });
  const port = Number(process.env.PORT ?? 80);
  const host = process.env.HOST ?? '0.0.0.0';
  server.listen(port, host, () => console.log(`Running on http://${host}:${port}/`));
  const stop = () => server.close(() => process.exit(0));
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
