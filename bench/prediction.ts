/**
 * @module The prediction half of the bench: raw backbone throughput and single-pass latency in
 * this process, then HTTP classify throughput and latency at 1, 4 and 16 concurrent clients with
 * autocannon against the service, and the ratios between them.
 */
import { readFileSync } from 'node:fs';
import autocannon from 'autocannon';
import { backbonePath } from '../datasets/paths';
import { Backbone } from '../server/ml/backbone';
import { decodeRgb, rgbTensor } from '../server/ml/image';
import { imageFiles } from '../test/support/dataset';
import { PREDICTION_KEY, type ServiceProcess } from '../test/support/service-process';

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** Forward passes only (tensors prepared beforehand): the ceiling an HTTP server could reach. */
async function rawBackbone(image: Buffer): Promise<{ throughput: number; singleMs: number; batch: number }> {
  const backbone = await Backbone.load(backbonePath());
  try {
    const tensor = rgbTensor(await decodeRgb(image));
    const single: number[] = [];
    for (let i = 0; i < 40; i++) {
      const t0 = performance.now();
      await backbone.embed([tensor]);
      if (i >= 5) single.push(performance.now() - t0);
    }
    const batch = backbone.batchSize;
    const tensors = Array.from({ length: batch }, () => tensor);
    await backbone.embed(tensors);
    const runs = 20;
    const t0 = performance.now();
    for (let i = 0; i < runs; i++) await backbone.embed(tensors);
    const throughput = (runs * batch) / ((performance.now() - t0) / 1000);
    return { throughput, singleMs: median(single), batch };
  } finally {
    await backbone.close();
  }
}

async function load(url: string, body: Buffer, connections: number): Promise<autocannon.Result> {
  return autocannon({
    url,
    method: 'POST',
    connections,
    duration: 8,
    headers: { 'Prediction-Key': PREDICTION_KEY, 'Content-Type': 'application/octet-stream' },
    body,
  });
}

export async function benchPrediction(service: ServiceProcess, projectId: string, publishName: string): Promise<[string, string][]> {
  const image = readFileSync(imageFiles('test', 'Developed')[0]);
  const url = `${service.url}/customvision/v3.1/prediction/${projectId}/classify/iterations/${publishName}/image/nostore`;
  // Warm the service's model before measuring.
  await load(url, image, 1);
  const raw = await rawBackbone(image);
  const rows: [string, string][] = [
    [`raw backbone throughput (batches of ${raw.batch}, forward only)`, `${raw.throughput.toFixed(1)} images/s`],
    ['raw backbone latency of one forward pass (median)', `${raw.singleMs.toFixed(1)} ms`],
  ];
  const results: Record<number, autocannon.Result> = {};
  for (const connections of [1, 4, 16]) {
    const r = await load(url, image, connections);
    results[connections] = r;
    const errors = r.errors + r.non2xx;
    rows.push([
      `HTTP classify, ${connections} concurrent client(s)`,
      `${r.requests.average.toFixed(1)} req/s, p50 ${r.latency.p50} ms, p99 ${r.latency.p99} ms${errors ? `, ${errors} errors` : ''}`,
    ]);
  }
  rows.push(
    ['ratio throughput at 4 clients / raw backbone throughput', `${(results[4].requests.average / raw.throughput).toFixed(2)}x  (bar >= 0.8x)`],
    ['ratio p50 at 1 client / one raw forward pass', `${(results[1].latency.p50 / raw.singleMs).toFixed(2)}x  (bar <= 1.5x)`],
  );
  return rows;
}
