/**
 * @module `npm run bench -- --only=classroom`: a room of 30 simulated students, each with a
 * resource of their own, running Exercise 1 through the SDK at the same time against one service
 * on the loopback; measured against one student alone in the same run, on the same service.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { PredictionAPIClient } from '@azure/cognitiveservices-customvision-prediction';
import { TrainingAPIClient } from '@azure/cognitiveservices-customvision-training';
import { ApiKeyCredentials } from '@azure/ms-rest-js';
import { CLASSES, imageFiles } from '../test/support/dataset';
import { writeResourcesFile, type TestResource } from '../test/support/resources';
import { startServiceProcess, type ServiceProcess } from '../test/support/service-process';
import { peakMemoryOf } from './memory';

/** 30, the room; `--students=<n>` for a quicker look. */
const STUDENTS = Number(process.argv.find((a) => a.startsWith('--students='))?.slice('--students='.length) ?? 30);
const BATCH = 64;
const POLL_MS = 1000;
/** The whole bench gives up after this: bounded, whatever happens. */
const BENCH_TIMEOUT_MS = 60 * 60_000;
/** A student who has not finished after this is counted as not finished. */
const STUDENT_TIMEOUT_MS = 40 * 60_000;

/**
 * One call as a student saw it: from its first attempt to its final answer, the waits and retries
 * after a 429 or 503 included, and the refusals it met on the way.
 */
interface CallRecord {
  operation: string;
  ms: number;
  /** The final answer's status. */
  status: number;
  /** Every answer's status, the refusals retried and the final one. */
  answers: number[];
}

/** What one student's run gave. */
interface StudentResult {
  name: string;
  finished: boolean;
  error?: string;
  wallMs: number;
  /** Images the service answered OK for. */
  imagesAcknowledged: number;
  /** Images the project holds at the end (counted even when the run failed). */
  imagesStored: number;
  iterationId?: string;
  calls: CallRecord[];
}

interface Images {
  train: Record<string, { name: string; bytes: Buffer }[]>;
  test: Buffer[];
}

function loadImages(): Images {
  const train: Images['train'] = {};
  for (const tag of CLASSES) train[tag] = imageFiles('train', tag).map((f) => ({ name: path.basename(f), bytes: readFileSync(f) }));
  const test = CLASSES.flatMap((tag) => imageFiles('test', tag).map((f) => readFileSync(f)));
  return { train, test };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const statusOf = (error: unknown) => (error as { statusCode?: number }).statusCode ?? 0;
const retryAfterOf = (error: unknown) => Number((error as { response?: { headers: { get(n: string): string | undefined } } }).response?.headers.get('retry-after'));

/**
 * A well-behaved client: a 429 or 503 is retried after its Retry-After (the SDK's own retries are
 * off, so every answer is seen and counted). Each call is timed from its first attempt to its final
 * answer: a refusal's wait is part of what the student waited.
 */
function caller(calls: CallRecord[], deadline: number) {
  return async function call<T>(operation: string, send: () => Promise<T>): Promise<T> {
    const started = performance.now();
    const answers: number[] = [];
    const record = (status: number) => calls.push({ operation, ms: performance.now() - started, status, answers });
    for (;;) {
      try {
        const result = await send();
        answers.push(200);
        record(200);
        return result;
      } catch (error) {
        const status = statusOf(error);
        answers.push(status);
        if ((status !== 429 && status !== 503) || Date.now() > deadline) {
          record(status);
          throw error;
        }
        await sleep((Number.isFinite(retryAfterOf(error)) ? retryAfterOf(error) : 1) * 1000);
      }
    }
  };
}

/** Exercise 1 for one student, through the SDK: project, tags, 450 images, train and wait, performance, quick tests, publish, 30 predictions. */
async function runStudent(url: string, resource: TestResource, images: Images): Promise<StudentResult> {
  const started = Date.now();
  const deadline = started + STUDENT_TIMEOUT_MS;
  const result: StudentResult = { name: resource.name, finished: false, wallMs: 0, imagesAcknowledged: 0, imagesStored: 0, calls: [] };
  const call = caller(result.calls, deadline);
  const trainer = new TrainingAPIClient(new ApiKeyCredentials({ inHeader: { 'Training-key': resource.trainingKey } }), url, { noRetryPolicy: true });
  const predictor = new PredictionAPIClient(new ApiKeyCredentials({ inHeader: { 'Prediction-key': resource.predictionKey } }), url, { noRetryPolicy: true });
  let projectId: string | undefined;
  try {
    const project = await call('createProject', () => trainer.createProject('Aerial land use', { classificationType: 'Multiclass' }));
    const id = project.id as string;
    projectId = id;
    const tagIds: Record<string, string> = {};
    for (const tag of CLASSES) tagIds[tag] = (await call('createTag', () => trainer.createTag(id, tag))).id as string;
    for (const tag of CLASSES) {
      const files = images.train[tag];
      for (let i = 0; i < files.length; i += BATCH) {
        const batch = files.slice(i, i + BATCH).map((f) => ({ name: f.name, contents: f.bytes, tagIds: [tagIds[tag]] }));
        const summary = await call('createImagesFromFiles', () => trainer.createImagesFromFiles(id, { images: batch }));
        result.imagesAcknowledged += (summary.images ?? []).filter((x) => x.status === 'OK').length;
      }
    }
    let iteration = await call('trainProject', () => trainer.trainProject(id));
    result.iterationId = iteration.id as string;
    while (iteration.status === 'Training') {
      if (Date.now() > deadline) throw new Error('still training at the deadline');
      await sleep(POLL_MS);
      iteration = await call('getIteration', () => trainer.getIteration(id, result.iterationId as string));
    }
    if (iteration.status !== 'Completed') throw new Error(`training ${iteration.status}: ${iteration.trainingErrorDetails}`);
    await call('getIterationPerformance', () => trainer.getIterationPerformance(id, result.iterationId as string, { threshold: 0.5 }));
    for (const bytes of images.test.slice(0, 5)) {
      await call('quickTestImage', () => trainer.quickTestImage(id, bytes, { iterationId: result.iterationId, store: false }));
    }
    await call('publishIteration', () => trainer.publishIteration(id, result.iterationId as string, 'aerial', resource.name));
    for (const bytes of images.test) await call('classifyImageWithNoStore', () => predictor.classifyImageWithNoStore(id, 'aerial', bytes));
    result.finished = true;
  } catch (error) {
    result.error = error instanceof Error ? error.message : String(error);
  }
  if (projectId) {
    const id = projectId;
    result.imagesStored = await call('getImageCount', () => trainer.getImageCount(id)).then((r) => r.body, () => NaN);
  }
  result.wallMs = Date.now() - started;
  return result;
}

function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const millis = (ms: number) => `${ms.toFixed(0)} ms`;

/** How long each iteration waited in the training queue, from the service log ("… training after N ms in the queue"). */
function queueWaits(log: string, results: StudentResult[]): number[] {
  return results.flatMap((r) => {
    const match = r.iterationId ? new RegExp(`iteration ${r.iterationId} \\(\\S+\\) training after (\\d+) ms in the queue`).exec(log) : null;
    return match ? [Number(match[1])] : [];
  });
}

/** The figures of a group of students run at the same time. */
function summarise(results: StudentResult[], log: string) {
  const calls = results.flatMap((r) => r.calls);
  const answers = calls.flatMap((c) => c.answers);
  // Every call, retries and waits included; the training itself is not one (trainProject only queues, and the wait is polling).
  return {
    finished: results.filter((r) => r.finished).length,
    acknowledged: results.reduce((n, r) => n + r.imagesAcknowledged, 0),
    // Acknowledged OK, yet not in the project afterwards (an uncountable project counts all as lost).
    lost: results.reduce((n, r) => n + (Number.isFinite(r.imagesStored) ? Math.max(0, r.imagesAcknowledged - r.imagesStored) : r.imagesAcknowledged), 0),
    wall: results.map((r) => r.wallMs),
    p99: percentile(calls.map((c) => c.ms), 99),
    p99Of: (operation: string) => percentile(calls.filter((c) => c.operation === operation).map((c) => c.ms), 99),
    waits: queueWaits(log, results),
    status5xx: answers.filter((status) => status >= 500).length,
    status503: answers.filter((status) => status === 503).length,
    status429: answers.filter((status) => status === 429).length,
    retriedCalls: calls.filter((c) => c.answers.length > 1).length,
    errors: results.filter((r) => r.error).map((r) => `${r.name}: ${r.error}`),
  };
}

export async function benchClassroom(): Promise<[string, string][]> {
  const images = loadImages();
  const names = ['warm-up', 'alone', ...Array.from({ length: STUDENTS }, (_, i) => `student-${String(i + 1).padStart(2, '0')}`)];
  const { file, resources } = writeResourcesFile(names);
  const service: ServiceProcess = await startServiceProcess({ resources: file, allowPrivateUrls: false });
  const timeout = setTimeout(() => {
    console.error(`The classroom bench did not end within ${BENCH_TIMEOUT_MS / 60_000} min: stopping.`);
    void service.kill().then(() => process.exit(1));
  }, BENCH_TIMEOUT_MS);
  try {
    // The first student of a room pays for the backbone features of the lab's images; every other reuses them
    // (the feature cache is by content). Untimed in the comparison, so the one alone and the room start alike.
    console.log('warm-up: one student on a cold service (fills the feature cache, loads the backbone) ...');
    const warm = await runStudent(service.url, resources['warm-up'], images);
    if (!warm.finished) throw new Error(`the warm-up student did not finish: ${warm.error}`);
    console.log(`  ${seconds(warm.wallMs)}`);

    console.log('one student alone ...');
    const alone = await runStudent(service.url, resources.alone, images);
    if (!alone.finished) throw new Error(`the student alone did not finish: ${alone.error}`);
    console.log(`  ${seconds(alone.wallMs)}`);

    console.log(`${STUDENTS} students at the same time ...`);
    const roomStarted = Date.now();
    const room = await Promise.all(names.slice(2).map((name) => runStudent(service.url, resources[name], images)));
    const roomMs = Date.now() - roomStarted;
    const log = service.output();
    const one = summarise([alone], log);
    const all = summarise(room, log);
    const bar = 1.2 * STUDENTS * alone.wallMs;
    const passed = all.finished === STUDENTS && all.lost === 0 && all.acknowledged === STUDENTS * 450 && all.status5xx === 0 && roomMs <= bar;
    const rows: [string, string][] = [
      ['service', `one process, ${service.url}, ${STUDENTS + 2} resources (S0 default quotas), one training at a time`],
      ['first student on a cold service (warm-up, not compared)', seconds(warm.wallMs)],
      ['one student alone: wall time', seconds(alone.wallMs)],
      ['one student alone: p99 latency of API calls', `${millis(one.p99)} (training queue wait ${millis(one.waits[0] ?? NaN)}; 429/503 answers: ${one.status429}/${one.status503})`],
      [`${STUDENTS} students: all finished`, `${all.finished === STUDENTS ? 'yes' : 'NO'} (${all.finished}/${STUDENTS})`],
      [`${STUDENTS} students: images lost`, `${all.lost} (acknowledged OK: ${all.acknowledged} of ${STUDENTS * 450}; each project counted afterwards)`],
      [`${STUDENTS} students: wall time of the room`, seconds(roomMs)],
      [`${STUDENTS} students: wall time per student p50 / p95`, `${seconds(percentile(all.wall, 50))} / ${seconds(percentile(all.wall, 95))}`],
      [`${STUDENTS} students: p99 latency of API calls (each from its first attempt to its final answer, waits after 429/503 included; training itself is the queue wait below)`, millis(all.p99)],
      [
        '  p99 by operation',
        ['createImagesFromFiles', 'getIteration', 'quickTestImage', 'classifyImageWithNoStore', 'createProject'].map((op) => `${op} ${millis(all.p99Of(op))}`).join(', '),
      ],
      [`${STUDENTS} students: training queue wait p50 / p95`, `${seconds(percentile(all.waits, 50))} / ${seconds(percentile(all.waits, 95))} (${all.waits.length} trainings)`],
      [`${STUDENTS} students: 5xx answers`, `${all.status5xx} (of which 503 refusals, retried after Retry-After: ${all.status503})`],
      [`${STUDENTS} students: 429 answers (retried after Retry-After)`, String(all.status429)],
      [`${STUDENTS} students: calls refused at least once`, `${all.retriedCalls} of ${room.reduce((n, r) => n + r.calls.length, 0)}`],
      ['peak memory of the service process (VmHWM)', peakMemoryOf(service.pid)],
      [`room / (${STUDENTS} x one student alone)`, `${(roomMs / (STUDENTS * alone.wallMs)).toFixed(2)}  (bar <= 1.20)`],
      [`bar: all finish, nothing lost, no 5xx, room <= 1.2 x ${STUDENTS} x alone`, passed ? 'met' : 'NOT met'],
    ];
    if (all.errors.length) rows.push(['errors', all.errors.join('; ')]);
    return rows;
  } finally {
    clearTimeout(timeout);
    await service.stop();
  }
}
