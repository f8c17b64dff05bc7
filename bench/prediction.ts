/**
 * @module The prediction half of the bench: raw backbone throughput and single-pass latency in
 * this process, then HTTP classify throughput and latency at 1, 4 and 16 concurrent clients with
 * autocannon against the service, and the ratios between them. "Raw backbone" means what the
 * endpoint runs for one image: the forward pass of every view it averages (predictVariants).
 */
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import { backboneWeightsDir } from '../datasets/paths';
import { Backbone } from '../server/ml/backbone';
import { predictVariants } from '../server/ml/config';
import { imageTensor } from '../server/ml/image';
import { WorkerClient } from '../server/ml/workers';
import type { RawRequest, RawWorkerData } from './raw-backbone-worker';
import { CLASSES, imageFiles } from '../test/support/dataset';
import { PREDICTION_KEY, type ServiceProcess } from '../test/support/service-process';

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** Images (all their views) per second of `sessions` backbone sessions running side by side, each in its own worker thread. */
async function parallelThroughput(views: Float32Array[], sessions: number, threads: number, batch: number): Promise<number> {
  const data: RawWorkerData = { weightsDir: backboneWeightsDir(), threads, batch, views };
  const workers = Array.from({ length: sessions }, () => new WorkerClient<RawRequest, number>(path.join(__dirname, 'raw-backbone-worker'), data));
  try {
    await Promise.all(workers.map((w) => w.request({})));
    // Every session runs until the same deadline, so they overlap fully.
    const until = Date.now() + 4000;
    const rates = await Promise.all(workers.map((w) => w.request({ until })));
    return rates.reduce((a, b) => a + b, 0);
  } finally {
    await Promise.all(workers.map((w) => w.close()));
  }
}

/** Median time of one forward pass of one image (its views in one run), on a session with `threads` intra-op threads. */
async function singlePassMs(views: Float32Array[], threads: number): Promise<number> {
  const backbone = await Backbone.load(backboneWeightsDir(), { threads });
  try {
    const times: number[] = [];
    for (let i = 0; i < 60; i++) {
      const t0 = performance.now();
      await backbone.embed(views);
      if (i >= 10) times.push(performance.now() - t0);
    }
    return median(times);
  } finally {
    await backbone.close();
  }
}

/**
 * Forward passes only (tensors prepared beforehand), in the configurations this machine could use:
 * the best of them is the ceiling an HTTP server could reach, whatever configuration it chose.
 */
async function rawBackbone(image: Buffer): Promise<{ configurations: [string, number][]; throughput: number; singleMs: number; singleMsOneThread: number }> {
  const views = await Promise.all(predictVariants().map((v) => imageTensor(image, v.view)));
  const cores = availableParallelism();
  const perRun = (images: number) => `${images} image(s) (${images * views.length} tensors) per run`;
  const configurations: [string, number][] = [
    [`1 session x ${cores} threads, ${perRun(8)}`, await parallelThroughput(views, 1, cores, 8)],
    [`1 session x ${cores} threads, ${perRun(1)}`, await parallelThroughput(views, 1, cores, 1)],
    [`${cores} sessions x 1 thread, ${perRun(8)}`, await parallelThroughput(views, cores, 1, 8)],
    [`${cores} sessions x 1 thread, ${perRun(1)}`, await parallelThroughput(views, cores, 1, 1)],
  ];
  return {
    configurations,
    throughput: Math.max(...configurations.map(([, rate]) => rate)),
    singleMs: await singlePassMs(views, cores),
    singleMsOneThread: await singlePassMs(views, 1),
  };
}

interface LoadResult {
  throughput: number;
  p50: number;
  p99: number;
  errors: number;
  /** CPU time per answered request: the service process (all its threads) and this process (the load generator). */
  serviceCpuMs: number;
  loadGeneratorCpuMs: number;
}

/** User + system CPU time of a process so far, in ms (Linux /proc; clock ticks are 10 ms). */
function processCpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

/**
 * `connections` clients posting the images in turn for 8 s. Latency percentiles come from every
 * response's own time (autocannon's histogram keeps whole milliseconds only).
 */
async function load(url: string, images: Buffer[], connections: number, servicePid: number): Promise<LoadResult> {
  const serviceBefore = processCpuMs(servicePid);
  const ownBefore = process.cpuUsage();
  const headers = { 'Prediction-Key': PREDICTION_KEY, 'Content-Type': 'application/octet-stream' };
  const times: number[] = [];
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const requests = images.map((body) => ({ method: 'POST' as const, headers, body }));
    const instance = autocannon({ url, connections, duration: 8, requests }, (error, done) => (error ? reject(error) : resolve(done)));
    instance.on('response', (_client, status, _bytes, ms) => {
      if (status >= 200 && status < 300) times.push(ms);
    });
  });
  const own = process.cpuUsage(ownBefore);
  const answered = Math.max(1, result.requests.total);
  times.sort((a, b) => a - b);
  const at = (q: number) => times[Math.min(times.length - 1, Math.floor(q * times.length))] ?? NaN;
  return {
    throughput: result.requests.average,
    p50: at(0.5),
    p99: at(0.99),
    errors: result.errors + result.non2xx,
    serviceCpuMs: (processCpuMs(servicePid) - serviceBefore) / answered,
    loadGeneratorCpuMs: (own.user + own.system) / 1000 / answered,
  };
}

export async function benchPrediction(service: ServiceProcess, projectId: string, publishName: string): Promise<[string, string][]> {
  // Every test image in turn, so nothing about one image (or a cache of it) can flatter the figures.
  const images = CLASSES.flatMap((tag) => imageFiles('test', tag)).map((file) => readFileSync(file));
  const pid = service.pid;
  if (pid === undefined) throw new Error('the service process has no pid');
  const url = `${service.url}/customvision/v3.1/prediction/${projectId}/classify/iterations/${publishName}/image/nostore`;
  // Warm the service's workers before measuring.
  await load(url, images, 4, pid);
  const raw = await rawBackbone(images[0]);
  const fastestPass = Math.min(raw.singleMs, raw.singleMsOneThread);
  const rows: [string, string][] = [
    ['views the endpoint averages per image', predictVariants().map((v) => v.view).join(', ')],
    ...raw.configurations.map(([name, rate]): [string, string] => [`raw backbone, ${name}`, `${rate.toFixed(1)} images/s`]),
    ['raw backbone throughput (best of the above)', `${raw.throughput.toFixed(1)} images/s`],
    [`raw backbone latency of one image's pass (median, ${availableParallelism()} threads)`, `${raw.singleMs.toFixed(2)} ms`],
    ["raw backbone latency of one image's pass (median, 1 thread)", `${raw.singleMsOneThread.toFixed(2)} ms`],
  ];
  const results: Record<number, LoadResult> = {};
  for (const connections of [1, 4, 16]) {
    const r = await load(url, images, connections, pid);
    results[connections] = r;
    rows.push([
      `HTTP classify, ${connections} concurrent client(s)`,
      `${r.throughput.toFixed(1)} req/s, p50 ${r.p50.toFixed(2)} ms, p99 ${r.p99.toFixed(2)} ms${r.errors ? `, ${r.errors} errors` : ''}`,
    ]);
  }
  // Where the time goes: the bar needs everything around the network to cost little next to it.
  const cores = availableParallelism();
  rows.push([
    'CPU per request at 4 clients (all cores)',
    `service ${results[4].serviceCpuMs.toFixed(2)} ms + load generator ${results[4].loadGeneratorCpuMs.toFixed(2)} ms; ` +
      `the raw backbone spends ${((cores * 1000) / raw.throughput).toFixed(2)} ms per image`,
  ]);
  rows.push(
    ['ratio throughput at 4 clients / raw backbone throughput', `${(results[4].throughput / raw.throughput).toFixed(2)}x  (bar >= 0.75x)`],
    ["ratio p50 at 1 client / fastest raw image pass", `${(results[1].p50 / fastestPass).toFixed(2)}x  (bar <= 1.5x)`],
  );
  return rows;
}
