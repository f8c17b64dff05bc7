/** @module Worker thread entry: keeps one backbone session and turns batches of image bytes into features. */
import { workerData } from 'node:worker_threads';
import { Backbone } from './backbone';
import { decodeForInference } from './fast-decode';
import { ImageDecodeError, type ImageInfo } from './image';
import type { InferenceItem, InferenceOutcome, InferenceWorkerData } from './inference-pool';
import { serveRequests } from './workers';

const { weightsDir, threads } = workerData as InferenceWorkerData;
const backboneReady = Backbone.load(weightsDir, { threads });

/** Decoded pixels, or the decode error that this image alone answers with. */
async function decode(item: InferenceItem): Promise<{ rgb: Uint8Array; info: ImageInfo } | { error: string }> {
  try {
    return await decodeForInference(Buffer.from(item.bytes.buffer, item.bytes.byteOffset, item.bytes.byteLength));
  } catch (error) {
    if (error instanceof ImageDecodeError) return { error: error.message };
    throw error;
  }
}

async function infer(items: InferenceItem[]): Promise<InferenceOutcome[]> {
  const backbone = await backboneReady;
  const decoded = await Promise.all(items.map(decode));
  const inputs = decoded.flatMap((d, i) => ('rgb' in d ? items[i].views.map((view) => ({ rgb: d.rgb, view })) : []));
  const features = await backbone.embedPixels(inputs);
  let next = 0;
  return decoded.map((d, i) => {
    if (!('rgb' in d)) return d;
    const own = features.slice(next, next + items[i].views.length);
    next += own.length;
    return { features: own, info: d.info };
  });
}

serveRequests<{ items: InferenceItem[] }, InferenceOutcome[]>(
  ({ items }) => infer(items),
  async () => (await backboneReady).close(),
);
